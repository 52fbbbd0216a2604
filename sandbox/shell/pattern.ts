/**
 * Shell patterns (`*`, `?`, `[...]`) as JavaScript regular expressions.
 * A pattern string uses backslash to quote the next character, which is how
 * quoted parts of a word are kept literal.
 */

const CLASSES: Record<string, string> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "a-zA-Z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  xdigit: "0-9A-Fa-f",
  word: "\\w",
  cntrl: "\\x00-\\x1f\\x7f",
  print: "\\x20-\\x7e",
  graph: "\\x21-\\x7e",
};

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|\/-]/.test(c) ? "\\" + c : c;
}

/** Regular expression source for a pattern; `pathname` keeps `*`/`?` from matching `/`. */
export function patternSource(pattern: string, pathname = false): string {
  const any = pathname ? "[^/]" : "[\\s\\S]";
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      out += i < pattern.length ? escapeRe(pattern[i]) : "\\\\";
    } else if (c === "*") {
      out += any + "*";
    } else if (c === "?") {
      out += any;
    } else if (c === "[") {
      const parsed = bracket(pattern, i);
      if (parsed) {
        out += parsed.source;
        i = parsed.end;
      } else out += "\\[";
    } else out += escapeRe(c);
  }
  return out;
}

function bracket(p: string, start: number): { source: string; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (p[i] === "!" || p[i] === "^") {
    negate = true;
    i++;
  }
  let body = "";
  let first = true;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === "]" && !first) return { source: `[${negate ? "^" : ""}${body}]`, end: i };
    first = false;
    if (c === "[" && p[i + 1] === ":") {
      const close = p.indexOf(":]", i + 2);
      if (close > 0) {
        body += CLASSES[p.slice(i + 2, close)] ?? "";
        i = close + 1;
        continue;
      }
    }
    if (c === "\\" && i + 1 < p.length) {
      body += "\\" + p[++i];
    } else if (c === "-" && body && p[i + 1] !== "]") {
      body += "-";
    } else body += c === "]" || c === "\\" || c === "^" || c === "-" ? "\\" + c : c;
  }
  return null;
}

const cache = new Map<string, RegExp>();

/** Whole-string match of a pattern. */
export function matchPattern(pattern: string, text: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${patternSource(pattern)})$`);
    if (cache.size > 500) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(text);
}

/** Whether a pattern has unquoted special characters. */
export function hasGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (c === "*" || c === "?") return true;
    else if (c === "[" && pattern.indexOf("]", i + 2) > 0) return true;
  }
  return false;
}

/** Quotes pattern characters so text matches only itself. */
export function quotePattern(text: string): string {
  return text.replace(/[\\*?[\]]/g, "\\$&");
}

/** Removes the quoting backslashes of a pattern. */
export function unquotePattern(pattern: string): string {
  return pattern.replace(/\\([\s\S])/g, "$1");
}

/** Removes the shortest or longest prefix/suffix matching a pattern. */
export function removeMatch(value: string, pattern: string, side: "prefix" | "suffix", greedy: boolean): string {
  const src = patternSource(pattern);
  const re = new RegExp(`^(?:${src})$`);
  if (side === "prefix") {
    if (greedy) {
      for (let n = value.length; n >= 0; n--) if (re.test(value.slice(0, n))) return value.slice(n);
    } else {
      for (let n = 0; n <= value.length; n++) if (re.test(value.slice(0, n))) return value.slice(n);
    }
  } else if (greedy) {
    for (let n = 0; n <= value.length; n++) if (re.test(value.slice(n))) return value.slice(0, n);
  } else {
    for (let n = value.length; n >= 0; n--) if (re.test(value.slice(n))) return value.slice(0, n);
  }
  return value;
}

/** ${v/p/r}, ${v//p/r}, ${v/#p/r}, ${v/%p/r}: longest match at each position. */
export function replaceMatch(value: string, pattern: string, replacement: string, all: boolean, anchor: "start" | "end" | null): string {
  if (pattern === "") return value;
  const re = new RegExp(`^(?:${patternSource(pattern)})$`);
  if (anchor === "start") {
    for (let n = value.length; n >= 0; n--) if (re.test(value.slice(0, n))) return replacement + value.slice(n);
    return value;
  }
  if (anchor === "end") {
    for (let n = 0; n <= value.length; n++) if (re.test(value.slice(n))) return value.slice(0, n) + replacement;
    return value;
  }
  let out = "";
  let i = 0;
  while (i <= value.length) {
    let matched = -1;
    for (let n = value.length; n > i; n--) {
      if (re.test(value.slice(i, n))) {
        matched = n;
        break;
      }
    }
    if (matched > i) {
      out += replacement;
      i = matched;
      if (!all) return out + value.slice(i);
    } else {
      if (i < value.length) out += value[i];
      i++;
    }
  }
  return out;
}
