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

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds; undefined when the text is not a duration. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!m) return text === "0" ? 0 : undefined;
  let total = 0;
  for (const part of text.slice(m[1].length).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * DURATION_UNITS[part[2]];
  return m[1] === "-" ? -total : total;
}

/**
 * A time filter as the daemon reads `until` of the prune endpoints (moby's
 * timetypes.GetTimestamp): a Go duration before `now`, an RFC 3339 time or
 * date, or Unix seconds. Returns nanoseconds since the epoch.
 */
export function parseTimeFilter(value: string, nowMs = Date.now()): bigint {
  const duration = value === "0" ? undefined : parseGoDuration(value);
  if (duration !== undefined) return BigInt(nowMs) * 1_000_000n - BigInt(Math.round(duration));
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    // Without a zone the time is the daemon's local time, as Go's ParseInLocation.
    const hasZone = /[zZ]|[+-]\d{2}:\d{2}$/.test(value.slice(10));
    const ms = Date.parse(hasZone ? value : value.length === 10 ? `${value}T00:00:00` : value);
    if (Number.isNaN(ms)) throw new SystemError(`parsing time ${JSON.stringify(value)}: cannot parse ${JSON.stringify(value)} as a time`);
    const fraction = /\.(\d+)/.exec(value)?.[1] ?? "";
    return BigInt(Math.floor(ms / 1000)) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0").slice(0, 9) || "0");
  }
  if (!/^\d+(\.\d+)?$/.test(value)) throw new SystemError(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  return parseUnixTimestamp(value)!;
}
