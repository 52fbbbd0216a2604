import { parseNumber } from "../arithmetic.js";
import { interpretEscapes, shellQuote } from "../quote.js";
import { fail, NAME_RE, type BuiltinContext } from "./context.js";

export async function echo(ctx: BuiltinContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args.length && /^-[neE]+$/.test(args[0])) {
    for (const f of args.shift()!.slice(1)) {
      if (f === "n") newline = false;
      else if (f === "e") escapes = true;
      else escapes = false;
    }
  }
  let text = args.join(" ");
  if (escapes) {
    const r = interpretEscapes(text, "echo");
    text = r.text;
    if (r.stop) newline = false;
  }
  await ctx.io.stdout.write(newline ? text + "\n" : text);
  return 0;
}

/** printf FORMAT [ARG]..., reusing the format while arguments remain. */
export async function printf(ctx: BuiltinContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let target: string | null = null;
  if (args[0] === "-v") {
    target = args[1] ?? "";
    args.splice(0, 2);
    if (!NAME_RE.test(target.replace(/\[.*\]$/, ""))) return fail(ctx, `\`${target}': not a valid identifier`, 2);
  }
  if (args[0] === "--") args.shift();
  if (args.length === 0) return fail(ctx, "usage: printf [-v var] format [arguments]", 2);
  const fmt = args.shift()!;
  const state = { status: 0, errors: [] as string[] };
  const out = format(fmt, args, state);
  for (const e of state.errors) await fail(ctx, e);
  if (target !== null) ctx.sh.set(target, out);
  else await ctx.io.stdout.write(out);
  return state.status;
}

const SPEC = /%([-+ 0#']*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXeEfFgGcsbq%])/y;

export function format(fmt: string, args: string[], state: { status: number; errors: string[] }): string {
  let out = "";
  let ai = 0;
  const next = (): string | undefined => (ai < args.length ? args[ai++] : undefined);
  for (;;) {
    const startArgs = ai;
    let i = 0;
    while (i < fmt.length) {
      const c = fmt[i];
      if (c === "\\") {
        const m = /^\\(0[0-7]{0,3}|[0-7]{1,3}|x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|.)/s.exec(fmt.slice(i))!;
        const r = interpretEscapes(m[0], "printf");
        if (r.stop) return out;
        out += r.text;
        i += m[0].length;
        continue;
      }
      if (c !== "%") {
        out += c;
        i++;
        continue;
      }
      SPEC.lastIndex = i;
      const m = SPEC.exec(fmt);
      if (!m) {
        out += c;
        i++;
        continue;
      }
      i = SPEC.lastIndex;
      const [, flags, w, p, conv] = m;
      if (conv === "%") {
        out += "%";
        continue;
      }
      let width = w === "*" ? Number(next() ?? 0) : w ? Number(w) : 0;
      let left = flags.includes("-");
      if (width < 0) {
        left = true;
        width = -width;
      }
      const prec = p === undefined ? undefined : p === "*" ? Number(next() ?? 0) : Number(p || 0);
      const arg = next();
      let body: string;
      switch (conv) {
        case "s":
          body = arg ?? "";
          if (prec !== undefined) body = body.slice(0, prec);
          break;
        case "b": {
          const r = interpretEscapes(arg ?? "", "echo");
          body = r.text;
          if (prec !== undefined) body = body.slice(0, prec);
          if (r.stop) return out + pad(body, width, left, " ");
          break;
        }
        case "q":
          body = shellQuote(arg ?? "");
          break;
        case "c":
          body = (arg ?? "").slice(0, 1);
          break;
        case "d":
        case "i":
        case "u":
        case "o":
        case "x":
        case "X": {
          let n = toNumber(arg, state);
          if (conv === "u" && n < 0) n = Number(BigInt.asUintN(64, BigInt(n)));
          const neg = n < 0 && (conv === "d" || conv === "i");
          const abs = neg ? -n : n < 0 ? Number(BigInt.asUintN(64, BigInt(n))) : n;
          let digits = conv === "o" ? abs.toString(8) : conv === "x" ? abs.toString(16) : conv === "X" ? abs.toString(16).toUpperCase() : String(abs);
          if (prec !== undefined) digits = digits.padStart(prec, "0");
          if (flags.includes("#") && abs !== 0) digits = (conv === "o" ? "0" : conv === "x" ? "0x" : conv === "X" ? "0X" : "") + digits;
          const sign = neg ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
          body = sign + digits;
          if (flags.includes("0") && !left && prec === undefined && body.length < width) body = sign + digits.padStart(width - sign.length, "0");
          break;
        }
        default: {
          const n = arg === undefined || arg === "" ? 0 : Number(arg);
          if (Number.isNaN(n)) {
            state.status = 1;
            state.errors.push(`${arg}: invalid number`);
          }
          const v = Number.isNaN(n) ? 0 : n;
          const pr = prec ?? 6;
          const lower = conv.toLowerCase();
          let t = lower === "f" ? v.toFixed(pr) : lower === "e" ? expo(v, pr) : gfmt(v, pr === 0 ? 1 : pr, flags.includes("#"));
          if (conv === "E" || conv === "G" || conv === "F") t = t.toUpperCase();
          const sign = v >= 0 && flags.includes("+") ? "+" : v >= 0 && flags.includes(" ") ? " " : "";
          body = sign + t;
          if (flags.includes("0") && !left && body.length < width) {
            const neg = body.startsWith("-") || body.startsWith("+") || body.startsWith(" ");
            body = neg ? body[0] + body.slice(1).padStart(width - 1, "0") : body.padStart(width, "0");
          }
        }
      }
      out += pad(body, width, left, " ");
    }
    if (ai >= args.length || ai === startArgs) break;
  }
  return out;
}

function pad(s: string, width: number, left: boolean, ch: string): string {
  if (s.length >= width) return s;
  return left ? s + ch.repeat(width - s.length) : ch.repeat(width - s.length) + s;
}

function toNumber(arg: string | undefined, state: { status: number; errors: string[] }): number {
  if (arg === undefined || arg === "") return 0;
  if (/^['"]/.test(arg)) return arg.length > 1 ? arg.codePointAt(1)! : 0;
  const n = parseNumber(arg);
  if (n !== null) return n;
  const lead = /^\s*[+-]?\d+/.exec(arg);
  state.status = 1;
  state.errors.push(`${arg}: invalid number`);
  return lead ? Number(lead[0]) : 0;
}

function expo(v: number, prec: number): string {
  const s = v.toExponential(prec);
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

function gfmt(v: number, prec: number, alt: boolean): string {
  if (v === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(v)));
  let s: string;
  if (exp < -4 || exp >= prec) s = expo(v, prec - 1);
  else s = v.toFixed(Math.max(prec - 1 - exp, 0));
  if (!alt) s = s.replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
  return s;
}
