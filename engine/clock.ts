// Wall-clock nanoseconds that never go backwards within the process:
// one reading of Date.now() at start, advanced by the monotonic hrtime.
const clockBase = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export const nowNano = (): bigint => clockBase + process.hrtime.bigint();

/** RFC 3339 with nanoseconds, as Docker prints its times. */
export function nowIso(): string {
  const ns = nowNano();
  const ms = new Date(Number(ns / 1_000_000n)).toISOString();
  return `${ms.slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, "0")}Z`;
}
