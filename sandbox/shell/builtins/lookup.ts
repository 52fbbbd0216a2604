import { fail, type BuiltinContext } from "./context.js";

export async function lookup(ctx: BuiltinContext, name: string): Promise<{ kind: "builtin" | "function" | "keyword" | "file"; path?: string } | null> {
  const { sh } = ctx;
  if (KEYWORDS.has(name)) return { kind: "keyword" };
  if (sh.functions.has(name)) return { kind: "function" };
  if (ctx.exec.hasBuiltin(name)) return { kind: "builtin" };
  const dirs = name.includes("/") ? [""] : (sh.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin").split(":");
  for (const d of dirs) {
    const path = name.includes("/") ? sh.resolve(name) : sh.fs.resolvePath(sh.resolve(d || "."), name);
    try {
      const st = await sh.fs.stat(path);
      if (!st.isDirectory) return { kind: "file", path: name.includes("/") ? name : path };
    } catch {
      continue;
    }
  }
  return null;
}

const KEYWORDS = new Set(["if", "then", "else", "elif", "fi", "case", "esac", "for", "while", "until", "do", "done", "in", "function", "select", "time", "{", "}", "!", "[[", "]]", "coproc"]);

export async function command(ctx: BuiltinContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let mode: "run" | "v" | "V" = "run";
  while (args[0]?.startsWith("-")) {
    const a = args.shift()!;
    if (a === "--") break;
    if (a.includes("v")) mode = "v";
    if (a.includes("V")) mode = "V";
  }
  if (args.length === 0) return 0;
  if (mode === "run") return ctx.exec.runArgv(ctx.sh, args, ctx.io, { skipFunctions: true });
  let status = 0;
  for (const name of args) {
    const found = await lookup(ctx, name);
    if (!found) {
      if (mode === "V") await fail(ctx, `${name}: not found`);
      status = 1;
      continue;
    }
    if (mode === "v") await ctx.io.stdout.write((found.path ?? name) + "\n");
    else await ctx.io.stdout.write(describe(name, found) + "\n");
  }
  return status;
}

function describe(name: string, found: { kind: string; path?: string }): string {
  switch (found.kind) {
    case "keyword":
      return `${name} is a shell keyword`;
    case "function":
      return `${name} is a function`;
    case "builtin":
      return `${name} is a shell builtin`;
    default:
      return `${name} is ${found.path}`;
  }
}

export async function type(ctx: BuiltinContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let terse = false;
  let pathOnly = false;
  while (args[0]?.startsWith("-")) {
    const a = args.shift()!;
    if (a.includes("t")) terse = true;
    if (a.includes("p") || a.includes("P")) pathOnly = true;
  }
  let status = 0;
  for (const name of args) {
    const found = await lookup(ctx, name);
    if (!found) {
      if (!terse && !pathOnly) await fail(ctx, `${name}: not found`);
      status = 1;
      continue;
    }
    if (terse) await ctx.io.stdout.write(found.kind + "\n");
    else if (pathOnly) {
      if (found.path) await ctx.io.stdout.write(found.path + "\n");
    } else await ctx.io.stdout.write(describe(name, found) + "\n");
  }
  return status;
}
