import { InvalidParameterError } from "../errors.js";

interface Pattern {
  regexp: RegExp;
  exclusion: boolean;
}

/** path.Clean of a relative path: no "." steps, ".." resolved, no leading or trailing "/". */
export function cleanRelative(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/**
 * A pattern as moby/patternmatcher compiles it: `**` any number of
 * directories, `*` and `?` within one name, `[...]` classes, `\` escapes.
 */
function compile(pattern: string): RegExp {
  let out = "^";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") {
      if (pattern[i + 1] === "*") {
        i++;
        // "**/" also matches no directory at all.
        if (pattern[i + 1] === "/") {
          i++;
          out += "(.*/)?";
        } else out += ".*";
      } else out += "[^/]*";
    } else if (ch === "?") out += "[^/]";
    else if (ch === "\\") {
      if (++i >= pattern.length) throw new InvalidParameterError("syntax error in pattern");
      out += pattern[i].replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
    } else if (ch === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) throw new InvalidParameterError("syntax error in pattern");
      const body = pattern.slice(i + 1, end);
      out += `(?:(?!/)[${body.startsWith("^") ? "^" + body.slice(1).replace(/[\\\]]/g, "\\$&") : body.replace(/[\\\]]/g, "\\$&")}])`;
      i = end;
    } else out += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  }
  return new RegExp(out + "$", "s");
}

/**
 * The rules of a .dockerignore file: one pattern a line, `#` comments, `!`
 * exceptions; a later match overrides an earlier one, and a path is matched
 * by a pattern that matches it or any directory above it.
 */
export class IgnoreRules {
  private readonly patterns: Pattern[];

  constructor(text: string) {
    this.patterns = [];
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      let exclusion = false;
      if (line.startsWith("!")) {
        exclusion = true;
        line = line.slice(1).trim();
      }
      line = cleanRelative(line);
      if (line === "") continue;
      this.patterns.push({ regexp: compile(line), exclusion });
    }
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether the context path (relative, cleaned) is left out of the build. */
  ignores(path: string): boolean {
    const parents: string[] = [];
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join("/"));
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      if (p.regexp.test(path) || parents.some((d) => p.regexp.test(d))) matched = !p.exclusion;
    }
    return matched;
  }
}
