import { InvalidParameterError } from "../errors.js";

/**
 * Docker's `filters` query parameter (moby's filters.Args): each key holds a
 * set of values. Both JSON forms are accepted: {"key":{"value":true}} and the
 * legacy {"key":["value"]}. A value given as false in the first form is still
 * a key of the set, as in moby, but never an exact match.
 */
export type Filters = Map<string, Map<string, boolean>>;

export function parseFilters(raw: string | undefined): Filters {
  const filters: Filters = new Map();
  if (!raw) return filters;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidParameterError("invalid filter");
  }
  if (parsed === null) return filters;
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new InvalidParameterError("invalid filter");
  const entries = Object.entries(parsed as Record<string, unknown>);
  const isSet = (v: unknown) => v === null || (typeof v === "object" && !Array.isArray(v) && Object.values(v).every((b) => typeof b === "boolean"));
  const isList = (v: unknown) => v === null || (Array.isArray(v) && v.every((s) => typeof s === "string"));
  if (entries.every(([, v]) => isSet(v))) {
    for (const [k, v] of entries) filters.set(k, new Map(Object.entries((v ?? {}) as Record<string, boolean>)));
  } else if (entries.every(([, v]) => isList(v))) {
    for (const [k, v] of entries) filters.set(k, new Map(((v ?? []) as string[]).map((s) => [s, true])));
  } else {
    throw new InvalidParameterError("invalid filter");
  }
  return filters;
}

/** The values of a key, sorted so messages naming several are stable. */
export function filterValues(f: Filters, key: string): string[] {
  return [...(f.get(key)?.keys() ?? [])].sort();
}

/** Refuses keys outside `accepted` with moby's message. */
export function validateFilterKeys(f: Filters, accepted: readonly string[]): void {
  for (const key of f.keys()) if (!accepted.includes(key)) throw new InvalidParameterError(`invalid filter '${key}'`);
}

/** True when the key is absent or empty, or `source` is one of its values. */
export function exactMatch(f: Filters, key: string, source: string): boolean {
  const values = f.get(key);
  return !values || values.size === 0 || values.get(source) === true;
}

/** An exact match, or any value as an unanchored regular expression matching `source`. */
export function match(f: Filters, key: string, source: string): boolean {
  if (exactMatch(f, key, source)) return true;
  return filterValues(f, key).some((pattern) => goRegexp(pattern)?.test(source) ?? false);
}

/** Every value (`key` or `key=value`) is among `labels`; true when the key is absent. */
export function matchKeyValues(f: Filters, key: string, labels: Record<string, string>): boolean {
  const values = filterValues(f, key);
  if (values.length === 0) return true;
  return values.every((v) => {
    const eq = v.indexOf("=");
    const name = eq < 0 ? v : v.slice(0, eq);
    if (!Object.prototype.hasOwnProperty.call(labels, name)) return false;
    return eq < 0 || labels[name] === v.slice(eq + 1);
  });
}

/** moby's GetBoolOrDefault: one of 1/true or 0/false, not both. */
export function boolFilter(f: Filters, key: string, fallback: boolean): boolean {
  const values = f.get(key);
  if (!values) return fallback;
  if (values.size === 0) throw new InvalidParameterError(`invalid filter '${key}'`);
  const isTrue = values.get("1") === true || values.get("true") === true;
  const isFalse = values.get("0") === true || values.get("false") === true;
  if (isTrue === isFalse) throw new InvalidParameterError(`invalid filter '${key}=[${filterValues(f, key).join(" ")}]'`);
  return isTrue;
}

/**
 * A Go (RE2) pattern as a JavaScript RegExp, or undefined where Go would
 * refuse it (Go then skips the value): RE2 has no lookaround or backreferences.
 */
function goRegexp(pattern: string): RegExp | undefined {
  let flags = "";
  let body = pattern;
  const inline = /^\(\?([imsU]+)\)/.exec(body);
  if (inline) {
    if (inline[1].includes("U")) return undefined;
    flags = inline[1];
    body = body.slice(inline[0].length);
  }
  if (/\(\?<?[=!]|\\[1-9]/.test(body)) return undefined;
  try {
    return new RegExp(body, flags);
  } catch {
    return undefined;
  }
}

/** Go's strconv.Atoi, with its error text. */
export function goAtoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(n);
}
