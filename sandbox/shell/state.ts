import type { IFileSystem } from "just-bash";
import type { FunctionDefNode, ScriptNode, StatementNode } from "./ast.js";
import type { ByteSink, ByteSource } from "../io.js";
import { reserveMemory } from "../worker/memory-guard.js";
import { ShellError } from "./errors.js";
import type { ExternalRunner } from "./types.js";

/** Open file descriptors of a command: 0, 1, 2 and any opened with n>file. */
export interface IO {
  stdin: ByteSource;
  stdout: ByteSink;
  stderr: ByteSink;
  fds: Map<number, ByteSource | ByteSink>;
}

export interface Variable {
  value: string | string[];
  exported: boolean;
  readonly: boolean;
}

export type OptionName = "errexit" | "nounset" | "xtrace" | "pipefail" | "noglob" | "noclobber" | "allexport" | "verbose" | "noexec";

/** What builtins need from the evaluator. */
export interface Engine {
  runStatements(sh: Shell, statements: StatementNode[], io: IO): Promise<number>;
  /** Parses and runs text in this shell (eval, source); syntax errors give 2. */
  runText(sh: Shell, text: string, io: IO, where: string, file?: boolean): Promise<number>;
  /** Runs a command line already expanded into words. */
  runArgv(sh: Shell, argv: string[], io: IO, opts?: { skipFunctions?: boolean }): Promise<number>;
  /** Runs a script in a subshell with the given streams. */
  runSubshell(sh: Shell, script: ScriptNode, io: IO): Promise<number>;
  /** Runs a script in a subshell and returns its standard output. */
  capture(sh: Shell, script: ScriptNode, io: IO): Promise<string>;
}

/** Values longer than this are checked against the container's memory limit before they are kept. */
const LARGE_VALUE = 1024 * 1024;

let pidCounter = 1000;
export function nextPid(): number {
  return ++pidCounter;
}

export interface Job {
  pid: number;
  done: Promise<number>;
  kill(signal: string): void;
}

/** The state of one shell or subshell. */
export class Shell {
  vars = new Map<string, Variable>();
  functions = new Map<string, FunctionDefNode>();
  positional: string[] = [];
  /** Saved outer values of `local` variables, one frame per active function call. */
  localFrames: Map<string, Variable | undefined>[] = [];
  opts: Record<OptionName, boolean> = {
    errexit: false,
    nounset: false,
    xtrace: false,
    pipefail: false,
    noglob: false,
    noclobber: false,
    allexport: false,
    verbose: false,
    noexec: false,
  };
  lastStatus = 0;
  lastBgPid = 0;
  jobs: Job[] = [];
  traps = new Map<string, string>();
  /** Trapped signals that arrived, for the next command boundary. */
  pendingTraps: string[] = [];
  private trapWaiters: (() => void)[] = [];
  /** > 0 while running a condition (if/while test, non-final && ||, !): set -e is off there. */
  condDepth = 0;
  loopDepth = 0;
  funcDepth = 0;
  sourceDepth = 0;
  line = 0;
  /** Line number of the first line of the text being run (interactive input comes in pieces). */
  lineBase = 0;
  /** Status of the last command substitution, for assignment-only commands. */
  substStatus: number | null = null;
  getoptsChar = 0;
  getoptsIndex = 1;
  pipestatus: number[] = [0];
  ticks = 0;
  /** shopt options that are on (nullglob, dotglob, ...). */
  shopts = new Set<string>();
  inErrTrap = false;
  /** Streams of <(cmd) by the /dev/fd path handed out for them. */
  procSubst = new Map<string, ByteSource>();
  readonly startTime = Date.now();

  constructor(
    public fs: IFileSystem,
    public external: ExternalRunner,
    public signal: AbortSignal,
    public engine: Engine,
    public name: string,
    public cwd: string,
    public pid: number,
    public subshell = 0,
  ) {}

  /**
   * A signal from outside. A trapped one runs its action at the next command
   * boundary and interrupts `wait`; an ignored one ("" action) does nothing.
   * False when the signal has no trap, so its default action applies.
   */
  takeSignal(signal: string): boolean {
    const name = signal.toUpperCase().replace(/^SIG/, "");
    const action = this.traps.get(name);
    if (action === undefined || name === "KILL" || name === "STOP") return false;
    if (action !== "") {
      this.pendingTraps.push(name);
      for (const wake of this.trapWaiters.splice(0)) wake();
    }
    return true;
  }

  /** Resolves when a trapped signal is pending. */
  trapArrival(): Promise<void> {
    if (this.pendingTraps.length) return Promise.resolve();
    return new Promise((resolve) => this.trapWaiters.push(resolve));
  }

  /** A copy for a subshell: same variables and functions, own everything else. */
  fork(signal = this.signal): Shell {
    const s = new Shell(this.fs, this.external, signal, this.engine, this.name, this.cwd, this.pid, this.subshell + 1);
    for (const [k, v] of this.vars) s.vars.set(k, { ...v, value: Array.isArray(v.value) ? v.value.slice() : v.value });
    s.functions = new Map(this.functions);
    s.positional = [...this.positional];
    s.opts = { ...this.opts };
    s.shopts = new Set(this.shopts);
    s.lastStatus = this.lastStatus;
    s.lastBgPid = this.lastBgPid;
    s.line = this.line;
    s.lineBase = this.lineBase;
    s.funcDepth = this.funcDepth;
    s.condDepth = this.condDepth;
    // Ignored signals stay ignored in subshells; other traps are reset.
    for (const [k, v] of this.traps) if (v === "" && k !== "EXIT") s.traps.set(k, v);
    return s;
  }

  get(name: string): string | undefined {
    const v = this.vars.get(name);
    if (!v) return undefined;
    if (Array.isArray(v.value)) return v.value[0];
    return v.value;
  }

  getVar(name: string): Variable | undefined {
    return this.vars.get(name);
  }

  set(name: string, value: string | string[], attrs?: { exported?: boolean; readonly?: boolean }): void {
    if (typeof value === "string" && value.length > LARGE_VALUE) reserveMemory(value.length);
    const v = this.vars.get(name);
    if (v?.readonly) throw new ShellError(`${name}: readonly variable`, 1);
    if (v) {
      // A scalar assignment to an array sets its first element.
      if (typeof value === "string" && Array.isArray(v.value)) v.value[0] = value;
      else v.value = value;
      if (attrs?.exported) v.exported = true;
      if (attrs?.readonly) v.readonly = true;
    } else {
      this.vars.set(name, { value, exported: !!attrs?.exported || this.opts.allexport, readonly: !!attrs?.readonly });
    }
    if (name === "PWD" && typeof value === "string") this.cwd = value;
  }

  /** Sets one element of an indexed array (creating it). */
  setElement(name: string, index: number, value: string): void {
    const v = this.vars.get(name);
    if (v?.readonly) throw new ShellError(`${name}: readonly variable`, 1);
    if (!v) {
      const arr: string[] = [];
      arr[index] = value;
      this.vars.set(name, { value: arr, exported: false, readonly: false });
      return;
    }
    if (!Array.isArray(v.value)) v.value = v.value === "" && index !== 0 ? [] : [v.value];
    v.value[index] = value;
  }

  unset(name: string): void {
    const v = this.vars.get(name);
    if (v?.readonly) throw new ShellError(`${name}: cannot unset: readonly variable`, 1);
    this.vars.delete(name);
  }

  /** Makes a variable local to the innermost function call. */
  makeLocal(name: string): void {
    const frame = this.localFrames[this.localFrames.length - 1];
    if (!frame) throw new ShellError("local: can only be used in a function", 1);
    if (!frame.has(name)) {
      const old = this.vars.get(name);
      frame.set(name, old ? { ...old, value: Array.isArray(old.value) ? old.value.slice() : old.value } : undefined);
    }
  }

  popLocals(): void {
    const frame = this.localFrames.pop();
    if (!frame) return;
    for (const [name, old] of frame) {
      if (old) this.vars.set(name, old);
      else this.vars.delete(name);
    }
  }

  /** Exported variables as a process environment. */
  environment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of this.vars) if (v.exported && !Array.isArray(v.value)) env[k] = v.value;
    return env;
  }

  /** $- */
  flags(): string {
    let f = "";
    if (this.opts.errexit) f += "e";
    if (this.opts.noglob) f += "f";
    if (this.opts.nounset) f += "u";
    if (this.opts.xtrace) f += "x";
    return f + "hB";
  }

  resolve(path: string): string {
    return this.fs.resolvePath(this.cwd, path);
  }
}
