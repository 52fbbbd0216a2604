import { EMPTY_SOURCE, type ByteSource } from "../../io.js";
import { unlessAborted } from "../errors.js";
import { readerFor } from "../reader.js";
import { getFd } from "../redirect.js";
import { fail, NAME_RE, type BuiltinContext } from "./context.js";

const decoder = new TextDecoder();

/** read [-rs] [-a array] [-d delim] [-n nchars] [-p prompt] [-t timeout] [-u fd] [name...] */
export async function read(ctx: BuiltinContext): Promise<number> {
  const { sh, io } = ctx;
  const args = ctx.argv.slice(1);
  let raw = false;
  let array: string | null = null;
  let delim: number | null = 0x0a;
  let max = Infinity;
  let prompt = "";
  let timeout: number | null = null;
  let source: ByteSource = io.stdin;
  while (args.length && args[0].startsWith("-") && args[0] !== "-") {
    const a = args.shift()!;
    if (a === "--") break;
    for (let i = 1; i < a.length; i++) {
      const f = a[i];
      if (f === "r") raw = true;
      else if (f === "s" || f === "e") continue;
      else if ("adnNptu".includes(f)) {
        const v = i + 1 < a.length ? a.slice(i + 1) : args.shift();
        if (v === undefined) return fail(ctx, `-${f}: option requires an argument`, 2);
        if (f === "a") array = v;
        else if (f === "d") delim = v === "" ? 0 : v.charCodeAt(0);
        else if (f === "n" || f === "N") {
          max = Number(v);
          if (f === "N") delim = null;
        } else if (f === "p") prompt = v;
        else if (f === "t") timeout = Number(v);
        else if (f === "u") {
          const s = getFd(io, Number(v));
          if (!s || !("read" in s)) return fail(ctx, `${v}: invalid file descriptor`);
          source = s;
        }
        break;
      } else return fail(ctx, `-${f}: invalid option`, 2);
    }
  }
  const names = args;
  for (const n of names) if (!NAME_RE.test(n)) return fail(ctx, `\`${n}': not a valid identifier`);
  if (prompt) await io.stderr.write(prompt);
  if (source === EMPTY_SOURCE) {
    assign(ctx, names, array, "", raw);
    return 1;
  }
  const reader = readerFor(source);
  let text = "";
  let found = false;
  for (;;) {
    const pending = unlessAborted(reader.readUntil(delim, max - text.length), sh.signal);
    const part = timeout === null ? await pending : await withTimeout(pending, timeout);
    if (part === null) return 142;
    const chunk = decoder.decode(part.data);
    found = part.found;
    // Without -r a backslash-newline continues the line.
    if (!raw && found && delim === 0x0a && /(^|[^\\])(\\\\)*\\$/.test(chunk)) {
      text += chunk.slice(0, -1);
      continue;
    }
    text += chunk;
    break;
  }
  assign(ctx, names, array, text, raw);
  return found ? 0 : 1;
}

function assign(ctx: BuiltinContext, names: string[], array: string | null, text: string, raw: boolean): void {
  const { sh } = ctx;
  const ifs = sh.get("IFS") ?? " \t\n";
  if (array !== null) {
    sh.set(array, splitRead(text, ifs, Infinity, raw));
    return;
  }
  if (names.length === 0) {
    sh.set("REPLY", raw ? text : unescape(text));
    return;
  }
  const fields = splitRead(text, ifs, names.length, raw);
  names.forEach((n, i) => sh.set(n, fields[i] ?? ""));
}

function unescape(s: string): string {
  return s.replace(/\\([\s\S])/g, "$1");
}

/** Splits a line into at most n fields; the last takes the rest of the line. */
export function splitRead(line: string, ifs: string, n: number, raw: boolean): string[] {
  const ws = [...ifs].filter((c) => " \t\n".includes(c));
  const isWs = (c: string) => ws.includes(c);
  const isSep = (c: string) => ifs.includes(c);
  const out: string[] = [];
  let i = 0;
  const len = line.length;
  const skipWs = () => {
    while (i < len && isWs(line[i])) i++;
  };
  skipWs();
  while (i < len && out.length < n - 1) {
    let field = "";
    while (i < len && !isSep(line[i])) {
      if (!raw && line[i] === "\\" && i + 1 < len) {
        field += line[i + 1];
        i += 2;
      } else field += line[i++];
    }
    out.push(field);
    skipWs();
    if (i < len && isSep(line[i]) && !isWs(line[i])) {
      i++;
      skipWs();
    }
  }
  if (i < len) {
    let rest = line.slice(i);
    let end = rest.length;
    while (end > 0 && isWs(rest[end - 1]) && !(end > 1 && rest[end - 2] === "\\" && !raw)) end--;
    rest = rest.slice(0, end);
    if (n === Infinity) {
      // -a splits everything; reaching here means a lone trailing field.
      out.push(...(rest ? [raw ? rest : unescape(rest)] : []));
    } else out.push(raw ? rest : unescape(rest));
  }
  return out;
}

async function withTimeout<T>(p: Promise<T>, seconds: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<null>((r) => (timer = setTimeout(() => r(null), seconds * 1000)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
