import type { IFileSystem } from "just-bash";
import type { ByteSink, ByteSource } from "../io.js";

/** The standard streams of a process. */
export interface Stdio {
  stdin: ByteSource;
  stdout: ByteSink;
  stderr: ByteSink;
}

/** What the shell hands to a command that is not a builtin or a function. */
export interface ExternalCommand extends Stdio {
  argv: string[];
  /** Exported variables only, as a process environment. */
  env: Record<string, string>;
  cwd: string;
  signal: AbortSignal;
  /** For the process itself (PID 1, an exec): a shell registers here to take the signals it traps. */
  signals?: SignalTaker;
}

/** Hands the host a function that offers a signal to the shell; it returns whether a trap took it (or ignores it). */
export type SignalTaker = (take: (signal: string) => boolean) => void;

/**
 * Runs a non-builtin command: looks it up on PATH in the container, runs a
 * utility, a script or a WASI module, and resolves with its exit status. It
 * writes its own "not found" (127) and "cannot execute" (126) messages.
 */
export type ExternalRunner = (command: ExternalCommand) => Promise<number>;

export interface ShellOptions extends Stdio {
  fs: IFileSystem;
  /** The initial environment (all exported). */
  env: Record<string, string>;
  cwd: string;
  /** $0 */
  name: string;
  /** $1, $2, ... */
  args: string[];
  signal: AbortSignal;
  signals?: SignalTaker;
  external: ExternalRunner;
  /** Shell options set on the command line, e.g. { errexit: true, pipefail: true, xtrace: false }. */
  options?: Partial<Record<"errexit" | "pipefail" | "xtrace" | "nounset" | "noglob", boolean>>;
}
