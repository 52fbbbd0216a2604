import { InvalidParameterError } from "./errors.js";

/**
 * The `filters` query parameter as moby's api/types/filters.Args reads it:
 * `{"key":{"value":true}}`, or the legacy `{"key":["value"]}`. A value
 * mapped to false is listed but never matches exactly, as in moby.
 */
export class FilterArgs {
  private constructor(private readonly fields: Map<string, Map<string, boolean>>) {}

  static fromJson(text: string | undefined): FilterArgs {
    const fields = new Map<string, Map<string, boolean>>();
    if (text === undefined || text === "") return new FilterArgs(fields);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new InvalidParameterError("invalid filter");
    }
    if (value === null) return new FilterArgs(fields);
    if (typeof value !== "object" || Array.isArray(value)) throw new InvalidParameterError("invalid filter");
    // Either every key maps to a set or every key to a list; Go decodes the whole object one way or the other.
    const entries = Object.entries(value as Record<string, unknown>);
    const isSet = (v: unknown) => v === null || (typeof v === "object" && !Array.isArray(v) && Object.values(v).every((b) => typeof b === "boolean"));
    const isList = (v: unknown) => v === null || (Array.isArray(v) && v.every((s) => typeof s === "string"));
    if (entries.every(([, v]) => isSet(v))) {
      for (const [k, v] of entries) fields.set(k, new Map(Object.entries((v ?? {}) as Record<string, boolean>)));
    } else if (entries.every(([, v]) => isList(v))) {
      for (const [k, v] of entries) fields.set(k, new Map(((v ?? []) as string[]).map((s) => [s, true])));
    } else {
      throw new InvalidParameterError("invalid filter");
    }
    return new FilterArgs(fields);
  }

  get size(): number {
    return this.fields.size;
  }

  contains(key: string): boolean {
    return this.fields.has(key);
  }

  /** The values of a key, sorted so messages naming several are stable. */
  get(key: string): string[] {
    return [...(this.fields.get(key)?.keys() ?? [])].sort();
  }

  /** Refuses keys outside `accepted` with moby's message. */
  validate(accepted: readonly string[]): void {
    for (const key of this.fields.keys()) if (!accepted.includes(key)) throw new InvalidParameterError(`invalid filter '${key}'`);
  }

  /** exactMatch, or a value that, as an unanchored Go regular expression, matches `source`. */
  match(key: string, source: string): boolean {
    if (this.exactMatch(key, source)) return true;
    return this.get(key).some((pattern) => goRegexp(pattern)?.test(source) ?? false);
  }

  /** moby's GetBoolOrDefault: one of 1/true or 0/false, not both. */
  boolOrDefault(key: string, fallback: boolean): boolean {
    const values = this.fields.get(key);
    if (!values) return fallback;
    if (values.size === 0) throw new InvalidParameterError(`invalid filter '${key}'`);
    const isTrue = values.get("1") === true || values.get("true") === true;
    const isFalse = values.get("0") === true || values.get("false") === true;
    if (isTrue === isFalse) throw new InvalidParameterError(`invalid filter '${key}=[${this.get(key).join(" ")}]'`);
    return isTrue;
  }

  /** True when the key is unset or lists the value. */
  exactMatch(key: string, source: string): boolean {
    const values = this.fields.get(key);
    if (!values || values.size === 0) return true;
    return values.get(source) === true;
  }

  /** exactMatch, or the value starts with one of the listed prefixes. */
  fuzzyMatch(key: string, source: string): boolean {
    if (this.exactMatch(key, source)) return true;
    for (const prefix of this.fields.get(key)!.keys()) if (source.startsWith(prefix)) return true;
    return false;
  }

  /** Every listed `k` or `k=v` is present in the map (labels). */
  matchKVList(key: string, sources: Record<string, string>): boolean {
    const values = this.fields.get(key);
    if (!values || values.size === 0) return true;
    for (const value of values.keys()) {
      const eq = value.indexOf("=");
      const k = eq < 0 ? value : value.slice(0, eq);
      if (!Object.hasOwn(sources, k)) return false;
      if (eq >= 0 && sources[k] !== value.slice(eq + 1)) return false;
    }
    return true;
  }
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
