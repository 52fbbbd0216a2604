import { InvalidParameterError } from "../errors.js";

/**
 * Go's path.Match: `*` is any run of non-"/" characters, `?` one such
 * character, `[...]` a class (ranges, `^` negation), `\` escapes. A malformed
 * pattern fails with path.ErrBadPattern's message, as dockerd reports it.
 */
export function pathMatch(pattern: string, name: string): boolean {
  return new RegExp(`^${translate(pattern)}$`, "s").test(name);
}

function translate(pattern: string): string {
  const bad = () => new InvalidParameterError("syntax error in pattern");
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "\\") {
      if (++i >= pattern.length) throw bad();
      out += escape(pattern[i]);
    } else if (ch === "[") {
      let j = i + 1;
      let cls = "";
      if (pattern[j] === "^") {
        cls += "^";
        j++;
      }
      let first = true;
      for (; ; first = false) {
        if (j >= pattern.length) throw bad();
        if (pattern[j] === "]" && !first) break;
        let lo = pattern[j];
        if (lo === "\\") lo = pattern[++j] ?? "";
        if (lo === "" || lo === "]" && first) throw bad();
        j++;
        if (pattern[j] === "-") {
          let hi = pattern[++j] ?? "";
          if (hi === "\\") hi = pattern[++j] ?? "";
          if (hi === "" || hi === "]") throw bad();
          j++;
          cls += `${escape(lo)}-${escape(hi)}`;
        } else cls += escape(lo);
      }
      out += `(?:(?!/)[${cls}])`;
      i = j;
    } else out += escape(ch);
  }
  return out;
}

const escape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
