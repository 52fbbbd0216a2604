import { signalName, signalNumber } from "../signals.js";

/** A kill event names the signal by number, as dockerd does ("15"). */
export function killAttributes(signal: string): Record<string, string> {
  return { signal: String(signalNumber(signalName(signal) ?? "")) };
}

/** A die event's exit code and the whole seconds PID 1 ran, as dockerd's monitor reports them. */
export function dieAttributes(exitCode: number, ranMs: number): Record<string, string> {
  return { exitCode: String(exitCode), execDuration: String(Math.floor(ranMs / 1000)) };
}
