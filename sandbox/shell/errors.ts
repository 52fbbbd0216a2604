/** Non-local control flow of the shell, thrown through the evaluator. */

/** `exit`, a fatal error, or `set -e`: ends the current shell (or subshell). */
export class ExitSignal {
  constructor(readonly status: number) {}
}

/** `return` from a function or sourced script. */
export class ReturnSignal {
  constructor(readonly status: number) {}
}

/** `break n` / `continue n`. */
export class LoopSignal {
  constructor(
    readonly kind: "break" | "continue",
    readonly levels: number,
  ) {}
}

/** The shell's AbortSignal fired. */
export class AbortedSignal {
  constructor(readonly status: number) {}
}

/** A shell error with a message for stderr; fatal ones end a non-interactive shell. */
export class ShellError extends Error {
  constructor(
    message: string,
    readonly status = 1,
    readonly fatal = false,
  ) {
    super(message);
  }
}

/** Waits for a promise unless the signal fires first (then throws AbortedSignal). */
export async function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw new AbortedSignal(abortStatus(signal.reason));
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AbortedSignal(abortStatus(signal.reason)));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([p, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

/** Signal numbers by name, for statuses (128 + n) and `kill`. */
export const SIGNAL_NUMBERS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, USR1: 10, SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20 };

/** Exit status for an abort reason such as "SIGTERM" (143 when unknown). */
export function abortStatus(reason: unknown): number {
  const n = SIGNAL_NUMBERS[String(reason).toUpperCase().replace(/^SIG/, "")];
  return 128 + (n ?? 15);
}
