import type { IFileSystem } from "just-bash";
import { identityUtilities } from "./utilities/identity.js";
import { processUtilities } from "./utilities/processes.js";
import { isJustBashUtility } from "./utilities/just-bash.js";
import { streamingUtilities } from "./utilities/streaming.js";

/** What a path in the image turns out to be when asked to run. */
export type Program =
  | { kind: "shell"; path: string }
  | { kind: "utility"; name: string; path: string }
  | { kind: "script"; path: string; interpreter: string[] }
  | { kind: "wasi"; path: string }
  | { kind: "unrunnable"; path: string; reason: "exec format error" | "permission denied" | "is a directory" }
  | { kind: "missing"; reason: string };

const SHELLS = new Set(["sh", "bash", "ash", "dash"]);
/** Applets the shell's own builtins provide, for when they run as programs (a healthcheck's ["CMD", "test", ...]). */
export const SHELL_APPLETS = new Set(["test", "[", "false"]);

export function isUtilityName(name: string): boolean {
  return SHELLS.has(name) || SHELL_APPLETS.has(name) || name in streamingUtilities || name in identityUtilities || name in processUtilities || isJustBashUtility(name) || name === "env" || name === "busybox";
}

const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** Finds argv0 as execvp does: a name with a slash is a path, otherwise the first executable match on PATH. */
async function locate(fs: IFileSystem, argv0: string, path: string, cwd: string): Promise<string | undefined> {
  if (argv0.includes("/")) return fs.resolvePath(cwd, argv0);
  for (const dir of path.split(":")) {
    const candidate = fs.resolvePath(cwd, `${dir || "."}/${argv0}`);
    try {
      const st = await fs.stat(candidate);
      if (!st.isDirectory && st.mode & 0o111) return candidate;
    } catch {
      /* not in this directory */
    }
  }
  return undefined;
}

const headCache = new Map<string, Uint8Array>();

const ELF = [0x7f, 0x45, 0x4c, 0x46];
const WASM = [0x00, 0x61, 0x73, 0x6d];
const startsWith = (data: Uint8Array, magic: number[]) => magic.every((b, i) => data[i] === b);

/**
 * Decides how to run argv0 from the container's file system. Linux binaries
 * cannot run here; those named like a utility the sandbox provides (busybox
 * applets, coreutils) run as that utility, as busybox itself would.
 */
export async function resolveProgram(fs: IFileSystem, argv0: string, envPath: string, cwd: string): Promise<Program> {
  const path = await locate(fs, argv0, envPath, cwd);
  if (!path) return { kind: "missing", reason: `exec: "${argv0}": executable file not found in $PATH` };
  let st;
  try {
    st = await fs.stat(path);
  } catch {
    return { kind: "missing", reason: `exec: "${argv0}": stat ${path}: no such file or directory` };
  }
  if (st.isDirectory) return { kind: "unrunnable", path, reason: "is a directory" };
  if (!(st.mode & 0o111)) return { kind: "unrunnable", path, reason: "permission denied" };
  const name = basename(argv0);
  const real = await fs.realpath(path);
  // Classifying reads the file; a script loop runs the same binaries again and again.
  const key = `${real}:${st.size}:${st.mtime.getTime()}`;
  let data = headCache.get(key);
  if (!data) {
    data = (await fs.readFileBuffer(path)).subarray(0, 256);
    if (headCache.size > 512) headCache.clear();
    headCache.set(key, data);
  }
  if (startsWith(data, ELF)) {
    // Invoked by an applet's name, busybox runs that applet; one the sandbox lacks cannot run.
    const target = basename(real);
    const applet = isUtilityName(name) ? name : target !== "busybox" && isUtilityName(target) ? target : undefined;
    if (!applet) return { kind: "unrunnable", path, reason: "exec format error" };
    if (SHELLS.has(applet)) return { kind: "shell", path };
    return { kind: "utility", name: applet, path };
  }
  if (startsWith(data, WASM)) return { kind: "wasi", path };
  if (data[0] === 0x23 && data[1] === 0x21) {
    const line = Buffer.from(data.subarray(2, Math.min(data.length, 256))).toString("utf8").split("\n")[0].trim();
    const [interp, ...rest] = line.split(/\s+/);
    // Linux passes everything after the interpreter as one argument.
    return { kind: "script", path, interpreter: rest.length ? [interp, rest.join(" ")] : [interp] };
  }
  // A text file without #! is run by the shell, as shells do on ENOEXEC.
  return { kind: "script", path, interpreter: ["/bin/sh"] };
}
