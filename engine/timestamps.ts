import { SystemError } from "./errors.js";
import { parseInt64 } from "./strconv.js";

/**
 * A `since`/`until` query value as the daemon takes it: Unix seconds with an
 * optional fraction (the CLI converts dates and durations before sending).
 * Returns nanoseconds since the epoch; an empty value gives undefined.
 * A bad value fails with Go's strconv message and status 500, as dockerd answers.
 */
export function parseUnixTimestamp(value: string | undefined): bigint | undefined {
  if (value === undefined || value === "") return undefined;
  const [seconds, fraction] = splitOnce(value, ".");
  const s = parseGoInt(seconds);
  if (fraction === undefined) return s * 1_000_000_000n;
  const n = parseGoInt(fraction);
  const scaled = fraction.length <= 9 ? n * 10n ** BigInt(9 - fraction.length) : n / 10n ** BigInt(fraction.length - 9);
  return s * 1_000_000_000n + scaled;
}

function splitOnce(value: string, sep: string): [string, string | undefined] {
  const i = value.indexOf(sep);
  return i < 0 ? [value, undefined] : [value.slice(0, i), value.slice(i + 1)];
}

function parseGoInt(s: string): bigint {
  try {
    return parseInt64(s);
  } catch (err) {
    throw new SystemError((err as Error).message);
  }
}
