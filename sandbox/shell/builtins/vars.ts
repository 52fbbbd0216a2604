import { ExitSignal } from "../errors.js";
import { shellQuote } from "../quote.js";
import type { OptionName, Shell } from "../state.js";
import { fail, NAME_RE, type BuiltinContext } from "./context.js";

const SHORT: Record<string, OptionName> = { e: "errexit", u: "nounset", x: "xtrace", f: "noglob", C: "noclobber", a: "allexport", v: "verbose", n: "noexec" };
const LONG = new Set<string>(["errexit", "nounset", "xtrace", "pipefail", "noglob", "noclobber", "allexport", "verbose", "noexec"]);
const IGNORED_LONG = new Set(["monitor", "hashall", "braceexpand", "emacs", "vi", "histexpand", "history", "ignoreeof", "interactive-comments", "keyword", "notify", "onecmd", "physical", "posix", "privileged", "errtrace", "functrace", "nolog"]);

/** Turns a shell option on or off; false when the name is unknown. */
export function setOption(sh: Shell, name: string, on: boolean): boolean {
  if (LONG.has(name)) {
    sh.opts[name as OptionName] = on;
    return true;
  }
  return IGNORED_LONG.has(name);
}

export function shortOption(flag: string): OptionName | undefined {
  return SHORT[flag];
}

export async function set(ctx: BuiltinContext): Promise<number> {
  const { sh, io } = ctx;
  const args = ctx.argv.slice(1);
  if (args.length === 0) {
    const lines = [...sh.vars.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => (Array.isArray(v.value) ? `${k}=(${v.value.map(shellQuote).join(" ")})` : `${k}=${shellQuote(v.value)}`));
    await io.stdout.write(lines.join("\n") + (lines.length ? "\n" : ""));
    return 0;
  }
  while (args.length) {
    const a = args[0];
    if (a === "--") {
      args.shift();
      sh.positional = args.splice(0);
      return 0;
    }
    if (a === "-" || a === "+") {
      args.shift();
      sh.opts.xtrace = false;
      sh.opts.verbose = false;
      sh.positional = args.splice(0);
      return 0;
    }
    if (!/^[-+]/.test(a)) break;
    args.shift();
    const on = a[0] === "-";
    for (let i = 1; i < a.length; i++) {
      const f = a[i];
      if (f === "o") {
        const name = args.shift();
        if (name === undefined) {
          await io.stdout.write(
            on
              ? [...LONG].sort().map((n) => `${n.padEnd(15)}\t${sh.opts[n as OptionName] ? "on" : "off"}\n`).join("")
              : [...LONG].sort().map((n) => `set ${sh.opts[n as OptionName] ? "-" : "+"}o ${n}\n`).join(""),
          );
          continue;
        }
        if (!setOption(sh, name, on)) return fail(ctx, `${name}: invalid option name`, 2);
        continue;
      }
      const opt = SHORT[f];
      if (opt) sh.opts[opt] = on;
      else if (!"hBmbkPTEHi".includes(f)) return fail(ctx, `${on ? "-" : "+"}${f}: invalid option`, 2);
    }
  }
  if (args.length) sh.positional = args;
  return 0;
}

export async function shift(ctx: BuiltinContext): Promise<number> {
  const n = ctx.argv[1] === undefined ? 1 : Number(ctx.argv[1]);
  if (!Number.isInteger(n) || n < 0) return fail(ctx, `${ctx.argv[1]}: numeric argument required`);
  if (n > ctx.sh.positional.length) return 1;
  ctx.sh.positional = ctx.sh.positional.slice(n);
  return 0;
}

/** NAME=value or NAME; sets and flags it. */
function declareOne(ctx: BuiltinContext, arg: string, attrs: { exported?: boolean; readonly?: boolean; array?: boolean; local?: boolean }): string | null {
  const { sh } = ctx;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=([\s\S]*)$/.exec(arg);
  const name = m ? m[1] : arg;
  if (!NAME_RE.test(name)) return `\`${arg}': not a valid identifier`;
  if (attrs.local) {
    sh.makeLocal(name);
    // A new local starts unset, as in bash.
    if (!m) {
      if (attrs.array) sh.vars.set(name, { value: [], exported: !!attrs.exported, readonly: !!attrs.readonly });
      else sh.vars.delete(name);
      return null;
    }
  }
  if (m) {
    let value: string | string[] = m[3];
    const arr = /^\(([\s\S]*)\)$/.exec(m[3]);
    if (arr && (attrs.array || arr)) value = arr[1].trim() === "" ? [] : arr[1].trim().split(/\s+/);
    if (m[2] === "+" && typeof value === "string") value = (sh.get(name) ?? "") + value;
    sh.set(name, value, attrs);
  } else {
    const v = sh.getVar(name);
    if (v) {
      if (attrs.exported) v.exported = true;
      if (attrs.readonly) v.readonly = true;
    } else if (attrs.local || attrs.array) {
      sh.vars.set(name, { value: attrs.array ? [] : "", exported: !!attrs.exported, readonly: !!attrs.readonly });
      if (!attrs.array) sh.vars.delete(name);
    }
  }
  return null;
}

async function printVars(ctx: BuiltinContext, prefix: string, filter: (v: { exported: boolean; readonly: boolean }) => boolean): Promise<number> {
  const lines: string[] = [];
  for (const [k, v] of [...ctx.sh.vars.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!filter(v)) continue;
    const value = Array.isArray(v.value) ? `(${v.value.map((x, i) => `[${i}]=${JSON.stringify(x)}`).join(" ")})` : JSON.stringify(v.value);
    lines.push(`${prefix} ${k}=${value}\n`);
  }
  await ctx.io.stdout.write(lines.join(""));
  return 0;
}

export async function exportBuiltin(ctx: BuiltinContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let unexport = false;
  while (args[0]?.startsWith("-")) {
    const a = args.shift()!;
    if (a === "--") break;
    if (a.includes("n")) unexport = true;
  }
  if (args.length === 0) return printVars(ctx, "export", (v) => v.exported);
  let status = 0;
  for (const a of args) {
    if (unexport) {
      const v = ctx.sh.getVar(a);
      if (v) v.exported = false;
      continue;
    }
    const err = declareOne(ctx, a, { exported: true });
    if (err) status = await fail(ctx, err);
  }
  return status;
}

export async function readonly(ctx: BuiltinContext): Promise<number> {
  const args = ctx.argv.slice(1).filter((a) => !a.startsWith("-"));
  if (args.length === 0) return printVars(ctx, "readonly", (v) => v.readonly);
  let status = 0;
  for (const a of args) {
    const err = declareOne(ctx, a, { readonly: true });
    if (err) status = await fail(ctx, err);
  }
  return status;
}

/** local, declare and typeset. */
export async function declare(ctx: BuiltinContext): Promise<number> {
  const { sh } = ctx;
  const isLocal = ctx.argv[0] === "local";
  if (isLocal && sh.funcDepth === 0) return fail(ctx, "can only be used in a function");
  const attrs = { exported: false, readonly: false, array: false, local: isLocal || sh.funcDepth > 0, print: false, functions: false };
  const args = ctx.argv.slice(1);
  while (args.length && /^[-+]/.test(args[0])) {
    const a = args.shift()!;
    if (a === "--") break;
    const on = a[0] === "-";
    for (const f of a.slice(1)) {
      if (f === "x") attrs.exported = on;
      else if (f === "r") attrs.readonly = on;
      else if (f === "a" || f === "A") attrs.array = on;
      else if (f === "g") attrs.local = false;
      else if (f === "p") attrs.print = true;
      else if (f === "f" || f === "F") attrs.functions = true;
    }
  }
  if (attrs.functions) {
    const names = args.length ? args : [...sh.functions.keys()].sort();
    let status = 0;
    for (const n of names) {
      if (sh.functions.has(n)) await ctx.io.stdout.write(`declare -f ${n}\n`);
      else status = 1;
    }
    return status;
  }
  if (attrs.print || args.length === 0) {
    if (args.length === 0) return printVars(ctx, "declare --", () => true);
    let status = 0;
    for (const n of args) {
      const v = sh.getVar(n);
      if (!v) {
        status = await fail(ctx, `${n}: not found`);
        continue;
      }
      const flags = (Array.isArray(v.value) ? "a" : "") + (v.exported ? "x" : "") + (v.readonly ? "r" : "");
      const value = Array.isArray(v.value) ? `(${v.value.map((x, i) => `[${i}]=${JSON.stringify(x)}`).join(" ")})` : JSON.stringify(v.value);
      await ctx.io.stdout.write(`declare -${flags || "-"} ${n}=${value}\n`);
    }
    return status;
  }
  let status = 0;
  for (const a of args) {
    try {
      const err = declareOne(ctx, a, attrs);
      if (err) status = await fail(ctx, err);
    } catch (e) {
      if (e instanceof ExitSignal) throw e;
      status = await fail(ctx, e instanceof Error ? e.message : String(e));
    }
  }
  return status;
}

export async function unset(ctx: BuiltinContext): Promise<number> {
  const { sh } = ctx;
  let functions = false;
  let status = 0;
  for (const a of ctx.argv.slice(1)) {
    if (a === "-f") functions = true;
    else if (a === "-v") functions = false;
    else if (functions) sh.functions.delete(a);
    else {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\[(\d+)\]$/.exec(a);
      try {
        if (m) {
          const v = sh.getVar(m[1]);
          if (v && Array.isArray(v.value)) delete v.value[Number(m[2])];
        } else {
          sh.unset(a);
        }
      } catch (e) {
        status = await fail(ctx, e instanceof Error ? e.message : String(e));
      }
    }
  }
  return status;
}

/** shopt [-s|-u|-q|-p] [optname...]: options are recorded; nullglob, dotglob and failglob take effect. */
export async function shopt(ctx: BuiltinContext): Promise<number> {
  const { sh, io } = ctx;
  let mode = "p" as "s" | "u" | "q" | "p";
  const names: string[] = [];
  for (const a of ctx.argv.slice(1)) {
    if (a === "-s" || a === "-u" || a === "-q" || a === "-p") mode = a[1] as typeof mode;
    else if (a === "-o") continue;
    else names.push(a);
  }
  if (mode === "s" || mode === "u") {
    for (const n of names) {
      if (mode === "s") sh.shopts.add(n);
      else sh.shopts.delete(n);
    }
    return 0;
  }
  if (mode === "q") return names.every((n) => sh.shopts.has(n)) ? 0 : 1;
  const list = names.length ? names : [...sh.shopts].sort();
  for (const n of list) await io.stdout.write(`shopt ${sh.shopts.has(n) ? "-s" : "-u"} ${n}\n`);
  return names.every((n) => sh.shopts.has(n)) ? 0 : 1;
}
