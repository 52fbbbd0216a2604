import type { ProvidedFile } from "../../backends/backend.js";

/** Messages between the daemon and a host worker thread, which runs the processes of several containers. */

export interface ContainerInit {
  layersDir: string;
  diffIds: string[];
  upperDir: string;
  /** Files written into the container before anything runs. */
  files: ProvidedFile[];
}

export type ToWorker =
  | { type: "open"; cid: string; init: ContainerInit }
  | { type: "run"; cid: string; pid: number; argv: string[]; env: string[]; cwd: string; tty: boolean; stdin: boolean; pid1: boolean; init: boolean }
  | { type: "stdin"; cid: string; pid: number; data: Uint8Array | null }
  | { type: "signal"; cid: string; pid: number; signal: string }
  | { type: "close"; cid: string };

export type FromWorker =
  | { type: "opened"; cid: string }
  | { type: "open-failed"; cid: string; message: string }
  | { type: "started"; cid: string; pid: number }
  | { type: "start-failed"; cid: string; pid: number; message: string; exitCode: 126 | 127 }
  | { type: "output"; cid: string; pid: number; stream: 1 | 2; data: Uint8Array }
  | { type: "exit"; cid: string; pid: number; code: number }
  | { type: "closed"; cid: string };

const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
  SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

/** Docker accepts "SIGTERM", "TERM" and "15"; returns the canonical name, or undefined when unknown. */
export function signalName(signal: string): string | undefined {
  if (/^\d+$/.test(signal)) return Object.keys(SIGNALS).find((k) => SIGNALS[k] === Number(signal));
  const name = signal.toUpperCase().startsWith("SIG") ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  return name in SIGNALS ? name : undefined;
}

export function signalNumber(name: string): number {
  return SIGNALS[name] ?? 15;
}
