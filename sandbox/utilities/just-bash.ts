import { Bash, defineCommand, getCommandNames, getNetworkCommandNames, latin1FromBytes, type FsStat, type IFileSystem } from "just-bash";
import { readAll } from "../io.js";
import type { UtilityCall } from "./context.js";

/**
 * The general utilities (ls, grep, sed, awk, sort, tar, ...) come from
 * just-bash. Each call runs one command to completion in a fresh just-bash
 * instance over the container's file system, with the call's stdin; its
 * output is passed on when the command ends.
 */

/** The shells are ours; just-bash's would run scripts without streaming. */
const excluded = new Set(["bash", "sh", "help", "history", "alias", "unalias", "clear"]);
const networkNames = new Set(getNetworkCommandNames());
const names = new Set([...getCommandNames(), ...networkNames].filter((n) => !excluded.has(n)));
const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;

/**
 * Utilities that never read their standard input. They run at once even when
 * stdin stays open (an interactive exec's `ls`), where reading it to its end
 * first would wait for an EOF that never comes.
 */
const ignoresStdin = new Set([
  "echo", "printf", "ls", "mkdir", "rmdir", "touch", "rm", "cp", "mv", "ln", "chmod", "pwd", "readlink", "stat", "find",
  "basename", "dirname", "tree", "du", "env", "printenv", "true", "false", "date", "sleep", "seq", "expr", "which",
  "hostname", "whoami", "file",
]);

export function isJustBashUtility(name: string): boolean {
  return names.has(name);
}

/**
 * just-bash runs one of its commands only when it finds /usr/bin/NAME (or
 * /bin/NAME) on PATH. This view of the container's file system shows such a
 * file for every utility name the container lacks, to that lookup only: it
 * has an identity of its own (so `cp` onto it creates the real file), reads
 * and listings see the container's own files, and nothing is written.
 */
const UTILITY_DIR = "/usr/bin";

/**
 * Where a utility's output is taken from: a command its output is piped
 * into, which keeps it as the bytes written. just-bash's own result turns
 * output it takes for text (base64 -d's, for one) into UTF-8.
 */
const OUTPUT_SINK = "__sockerless_output";

function utilityView(fs: IFileSystem): IFileSystem {
  const isUtilityPath = (p: string) => p === `${UTILITY_DIR}/${OUTPUT_SINK}` || (p.startsWith(UTILITY_DIR + "/") && names.has(p.slice(UTILITY_DIR.length + 1)));
  const utilityStub = (p: string): FsStat => ({ isFile: true, isDirectory: false, isSymbolicLink: false, mode: 0o755, size: 0, mtime: new Date(0), identity: `sandbox-utility:${p}` });
  return new Proxy(fs, {
    get(target, prop, receiver) {
      if (prop === "exists") return async (p: string) => isUtilityPath(p) || target.exists(p);
      if (prop === "stat" || prop === "lstat" || prop === "realpath") {
        return async (p: string) => {
          try {
            return await target[prop](p);
          } catch (err) {
            if (isUtilityPath(p)) return prop === "realpath" ? p : utilityStub(p);
            throw err;
          }
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

const generous = {
  maxCommandCount: 1e9,
  maxLoopIterations: 1e9,
  maxAwkIterations: 1e9,
  maxSedIterations: 1e9,
  maxJqIterations: 1e9,
  maxExecutionTimeMs: 24 * 3600 * 1000,
  maxInputBytes: 1 << 30,
  maxLiveBytes: 1 << 30,
  maxFileSystemBytes: 1 << 30,
  maxArchiveBytes: 1 << 30,
  maxArchiveCompressedBytes: 1 << 30,
  maxArchiveEntryBytes: 1 << 30,
  maxTraversalEntries: 1e8,
  maxTraversalWork: 1e9,
  maxWorkUnits: 1e12,
};

/**
 * Runs one utility. curl reaches only the URL prefixes the daemon granted
 * (loopback endpoints such as a simulated runtime API); without a grant it
 * fails as curl does when it cannot connect.
 */
export async function runJustBashUtility(call: UtilityCall, allowedUrls: string[] = []): Promise<number> {
  if (networkNames.has(call.argv[0]) && allowedUrls.length === 0) {
    await call.stderr.write(`${call.argv[0]}: (7) the sandbox backend grants this container no network access\n`);
    return 7;
  }
  const stdin = ignoresStdin.has(call.argv[0]) ? "" : Buffer.from(await readAll(call.stdin)).toString("latin1");
  let out = Buffer.alloc(0);
  const sink = defineCommand(OUTPUT_SINK, async (_args, ctx) => {
    out = Buffer.from(latin1FromBytes(ctx.stdin), "latin1");
    return { stdout: "", stderr: "", exitCode: 0 };
  });
  const bash = new Bash({
    fs: utilityView(call.fs),
    customCommands: [sink],
    cwd: call.cwd,
    env: { ...call.env, PATH: UTILITY_DIR },
    executionLimits: generous,
    // curl has no timeout of its own: a Runtime API's long poll for the next event may wait for hours.
    ...(allowedUrls.length ? { network: { allowedUrlPrefixes: allowedUrls, allowedMethods: [...ALL_METHODS], timeoutMs: generous.maxExecutionTimeMs } } : {}),
  });
  const result = await bash.exec(`set -o pipefail; ${call.argv.map(quote).join(" ")} | ${OUTPUT_SINK}`, { stdin, stdinKind: "bytes", signal: call.signal, cwd: call.cwd });
  if (out.length) await call.stdout.write(out);
  if (result.stderr) await call.stderr.write(result.stderr);
  return result.exitCode;
}
