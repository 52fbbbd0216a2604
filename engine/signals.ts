import { InvalidParameterError } from "./errors.js";

/** Linux signal numbers, by the names Docker accepts. */
const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
  SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

/** Docker accepts "SIGTERM", "TERM", "term" and "15"; returns the canonical name, or undefined when unknown. */
export function signalName(signal: string): string | undefined {
  if (/^\d+$/.test(signal)) return Object.keys(SIGNALS).find((k) => SIGNALS[k] === Number(signal));
  const name = signal.toUpperCase().startsWith("SIG") ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  return name in SIGNALS ? name : undefined;
}

/** A signal from a request, as moby's signal.ParseSignal checks it. */
export function parseSignal(raw: string): string {
  const name = signalName(raw);
  if (!name) throw new InvalidParameterError(`Invalid signal: ${raw}`);
  return name;
}

/** The number of a canonical signal name; a cancellation without a signal name counts as SIGTERM. */
export function signalNumber(name: string): number {
  return SIGNALS[name] ?? SIGNALS.SIGTERM;
}
