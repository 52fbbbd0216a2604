import { runInteractive, runScript } from "./interpreter.js";
import type { ShellOptions } from "./types.js";

type ShellOpt = NonNullable<ShellOptions["options"]>;

const SHORT: Record<string, string> = { e: "errexit", u: "nounset", x: "xtrace", f: "noglob", C: "noclobber", a: "allexport", v: "verbose", n: "noexec" };
const IGNORED_SHORT = "ilhBmbpPrTEHk";
const LONG_IGNORED = new Set(["--noprofile", "--norc", "--posix", "--login", "--noediting", "--restricted", "--verbose", "--norc"]);

/**
 * Runs `sh`/`bash` as invoked: `sh -c 'script' [name [args...]]`,
 * `bash --noprofile --norc -eo pipefail script.sh`, `sh -s`, `sh file args`,
 * or no script at all (commands from stdin).
 */
export async function runShellCommand(argv: string[], options: Omit<ShellOptions, "name" | "args" | "options">): Promise<number> {
  const shellName = argv[0] ?? "sh";
  const opts: Record<string, boolean> = {};
  let commandMode = false;
  let fromStdin = false;
  let i = 1;
  const usage = async (msg: string) => {
    await options.stderr.write(`${shellName}: ${msg}\n`);
    return 2;
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--" || a === "-") {
      i++;
      break;
    }
    if (a.startsWith("--")) {
      if (LONG_IGNORED.has(a)) continue;
      if (a === "--rcfile" || a === "--init-file") {
        i++;
        continue;
      }
      if (a === "--version") {
        await options.stdout.write("sandbox shell, POSIX sh / bash subset\n");
        return 0;
      }
      return usage(`${a}: invalid option`);
    }
    if (!/^[-+]./.test(a)) break;
    const on = a[0] === "-";
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (c === "c" && on) commandMode = true;
      else if (c === "s" && on) fromStdin = true;
      else if (c === "o") {
        const name = argv[++i];
        if (name === undefined) return usage(`-o: option requires an argument`);
        opts[name] = on;
      } else if (SHORT[c]) opts[SHORT[c]] = on;
      else if (!IGNORED_SHORT.includes(c)) return usage(`${a[0]}${c}: invalid option`);
    }
  }
  const base = { ...options, options: opts as ShellOpt };
  if (commandMode) {
    const script = argv[i];
    if (script === undefined) return usage("-c: option requires an argument");
    return runScript(script, { ...base, name: argv[i + 1] ?? shellName, args: argv.slice(i + 2) });
  }
  if (fromStdin || i >= argv.length) {
    return runInteractive({ ...base, name: shellName, args: argv.slice(i) });
  }
  const file = argv[i];
  const path = options.fs.resolvePath(options.cwd, file);
  let text: string;
  try {
    const st = await options.fs.stat(path);
    if (st.isDirectory) {
      await options.stderr.write(`${shellName}: ${file}: Is a directory\n`);
      return 126;
    }
    text = await options.fs.readFile(path);
  } catch {
    await options.stderr.write(`${shellName}: ${file}: No such file or directory\n`);
    return 127;
  }
  return runScript(text, { ...base, name: file, args: argv.slice(i + 1) });
}
