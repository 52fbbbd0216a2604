/** Quotes a word so the shell reads it back unchanged (xtrace, printf %q, ${x@Q}). */
export function shellQuote(s: string): string {
  if (s === "") return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

/** Backslash escapes of echo -e, printf formats and %b; `\c` ends output. */
export function interpretEscapes(s: string, mode: "echo" | "printf" | "ansi" = "echo"): { text: string; stop: boolean } {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\" || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i];
    switch (n) {
      case "n":
        out += "\n";
        break;
      case "t":
        out += "\t";
        break;
      case "r":
        out += "\r";
        break;
      case "a":
        out += "\x07";
        break;
      case "b":
        out += "\b";
        break;
      case "f":
        out += "\f";
        break;
      case "v":
        out += "\v";
        break;
      case "e":
      case "E":
        out += "\x1b";
        break;
      case "\\":
        out += "\\";
        break;
      case "c":
        return { text: out, stop: true };
      case "x": {
        const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 16));
          i += m[0].length;
        } else out += "\\x";
        break;
      }
      case "u":
      case "U": {
        const m = (n === "u" ? /^[0-9a-fA-F]{1,4}/ : /^[0-9a-fA-F]{1,8}/).exec(s.slice(i + 1));
        if (m) {
          out += String.fromCodePoint(parseInt(m[0], 16));
          i += m[0].length;
        } else out += "\\" + n;
        break;
      }
      case "0": {
        // echo and %b take \0NNN; printf formats take \NNN.
        const m = /^[0-7]{1,3}/.exec(s.slice(i + 1));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
          i += m[0].length;
        } else out += "\0";
        break;
      }
      default:
        if (mode !== "echo" && /[1-7]/.test(n)) {
          const m = /^[0-7]{1,3}/.exec(s.slice(i))!;
          out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
          i += m[0].length - 1;
        } else if ((n === '"' || n === "'" || n === "?") && mode !== "echo") out += n;
        else out += "\\" + n;
    }
  }
  return { text: out, stop: false };
}
