import { readAll } from "../../io.js";
import { parseNumber } from "../arithmetic.js";
import { ExitSignal, LoopSignal, ReturnSignal } from "../errors.js";
import { fail, type BuiltinContext } from "./context.js";

export async function exit(ctx: BuiltinContext): Promise<number> {
  const a = ctx.argv[1];
  if (a === undefined) throw new ExitSignal(ctx.sh.lastStatus);
  const n = parseNumber(a);
  if (n === null || !/^\s*[+-]?\d+\s*$/.test(a)) {
    await fail(ctx, `${a}: numeric argument required`);
    throw new ExitSignal(2);
  }
  throw new ExitSignal(((n % 256) + 256) % 256);
}

export async function returnBuiltin(ctx: BuiltinContext): Promise<number> {
  const { sh } = ctx;
  if (sh.funcDepth === 0 && sh.sourceDepth === 0) return fail(ctx, "can only `return' from a function or sourced script");
  const a = ctx.argv[1];
  const n = a === undefined ? sh.lastStatus : parseNumber(a);
  if (n === null) {
    await fail(ctx, `${a}: numeric argument required`);
    throw new ReturnSignal(2);
  }
  throw new ReturnSignal(((n % 256) + 256) % 256);
}

export function loopControl(kind: "break" | "continue") {
  return async (ctx: BuiltinContext): Promise<number> => {
    const n = ctx.argv[1] === undefined ? 1 : Number(ctx.argv[1]);
    if (!Number.isInteger(n) || n < 1) return fail(ctx, `${ctx.argv[1]}: loop count out of range`);
    if (ctx.sh.loopDepth === 0) return 0;
    throw new LoopSignal(kind, Math.min(n, ctx.sh.loopDepth));
  };
}

export async function evalBuiltin(ctx: BuiltinContext): Promise<number> {
  const text = ctx.argv.slice(1).join(" ");
  if (text.trim() === "") return 0;
  return ctx.exec.runText(ctx.sh, text, ctx.io, `eval: line ${ctx.sh.line}`);
}

/** Finds a file for `.`: a path with a slash as given, else on PATH, else in cwd. */
async function findSource(ctx: BuiltinContext, name: string): Promise<string | null> {
  const { sh } = ctx;
  if (sh.procSubst.has(name)) return name;
  const candidates = name.includes("/") ? [sh.resolve(name)] : [...(sh.get("PATH") ?? "").split(":").filter(Boolean).map((d) => sh.fs.resolvePath(sh.resolve(d), name)), sh.resolve(name)];
  for (const c of candidates) {
    try {
      if ((await sh.fs.stat(c)).isFile) return c;
    } catch {
      continue;
    }
  }
  return null;
}

export async function source(ctx: BuiltinContext): Promise<number> {
  const { sh } = ctx;
  const name = ctx.argv[1];
  if (name === undefined) return fail(ctx, "filename argument required", 2);
  const path = await findSource(ctx, name);
  if (!path) return fail(ctx, `${name}: No such file or directory`);
  const text = path.startsWith("/dev/fd/") ? new TextDecoder().decode(await readAll(sh.procSubst.get(path)!)) : await sh.fs.readFile(path);
  const savedArgs = sh.positional;
  if (ctx.argv.length > 2) sh.positional = ctx.argv.slice(2);
  sh.sourceDepth++;
  try {
    return await ctx.exec.runText(sh, text, ctx.io, name, true);
  } catch (e) {
    if (e instanceof ReturnSignal) return e.status;
    throw e;
  } finally {
    sh.sourceDepth--;
    if (ctx.argv.length > 2) sh.positional = savedArgs;
  }
}

export async function exec(ctx: BuiltinContext): Promise<number> {
  const args = ctx.argv.slice(1);
  while (args[0]?.startsWith("-") && args[0] !== "-") {
    const a = args.shift()!;
    if (a === "--") break;
    if (a === "-a") args.shift();
  }
  if (args.length === 0) return 0;
  const status = await ctx.exec.runArgv(ctx.sh, args, ctx.io, { skipFunctions: true });
  throw new ExitSignal(status);
}
