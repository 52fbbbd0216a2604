import { ShellError, unlessAborted } from "../errors.js";
import { Expander } from "../expand.js";
import { readerFor } from "../reader.js";
import { evalTest } from "../test-expr.js";
import { fail, NAME_RE, type BuiltinContext } from "./context.js";

export async function test(ctx: BuiltinContext): Promise<number> {
  let args = ctx.argv.slice(1);
  if (ctx.argv[0] === "[") {
    if (args[args.length - 1] !== "]") return fail(ctx, "missing `]'", 2);
    args = args.slice(0, -1);
  }
  try {
    return (await evalTest(ctx.sh, args)) ? 0 : 1;
  } catch (e) {
    if (e instanceof ShellError) return fail(ctx, e.message, 2);
    throw e;
  }
}

export async function letBuiltin(ctx: BuiltinContext): Promise<number> {
  const ex = new Expander(ctx.sh, ctx.io);
  let v = 0;
  for (const a of ctx.argv.slice(1)) v = await ex.arith.evaluateText(a);
  return v !== 0 ? 0 : 1;
}

export async function getopts(ctx: BuiltinContext): Promise<number> {
  const { sh } = ctx;
  const [spec, name, ...rest] = ctx.argv.slice(1);
  if (spec === undefined || name === undefined) return fail(ctx, "usage: getopts optstring name [arg ...]", 2);
  const args = rest.length ? rest : sh.positional;
  const silent = spec.startsWith(":");
  let optind = Number(sh.get("OPTIND") ?? "1") || 1;
  if (optind === 1 && sh.getoptsChar > 0 && sh.getoptsIndex !== 1) sh.getoptsChar = 0;
  const done = () => {
    sh.set(name, "?");
    sh.set("OPTIND", String(optind));
    sh.getoptsChar = 0;
    sh.getoptsIndex = optind;
    return 1;
  };
  if (optind > args.length) return done();
  const arg = args[optind - 1];
  if (sh.getoptsChar === 0) {
    if (arg === "--") {
      optind++;
      return done();
    }
    if (!arg.startsWith("-") || arg === "-") return done();
    sh.getoptsChar = 1;
  }
  const c = arg[sh.getoptsChar++];
  const finishArg = () => {
    if (sh.getoptsChar >= arg.length) {
      optind++;
      sh.getoptsChar = 0;
    }
  };
  const at = spec.indexOf(c);
  if (c === ":" || at < 0) {
    finishArg();
    sh.set(name, "?");
    if (silent) sh.set("OPTARG", c);
    else {
      sh.vars.delete("OPTARG");
      await ctx.io.stderr.write(`${sh.name}: illegal option -- ${c}\n`);
    }
  } else if (spec[at + 1] === ":") {
    if (sh.getoptsChar < arg.length) {
      sh.set("OPTARG", arg.slice(sh.getoptsChar));
      optind++;
      sh.getoptsChar = 0;
      sh.set(name, c);
    } else {
      optind++;
      sh.getoptsChar = 0;
      if (optind <= args.length) {
        sh.set("OPTARG", args[optind - 1]);
        optind++;
        sh.set(name, c);
      } else if (silent) {
        sh.set(name, ":");
        sh.set("OPTARG", c);
      } else {
        sh.set(name, "?");
        sh.vars.delete("OPTARG");
        await ctx.io.stderr.write(`${sh.name}: option requires an argument -- ${c}\n`);
      }
    }
  } else {
    finishArg();
    sh.vars.delete("OPTARG");
    sh.set(name, c);
  }
  sh.set("OPTIND", String(optind));
  sh.getoptsIndex = optind;
  return 0;
}

/** kill for jobs of this shell; other pids go to the external kill. */

export async function umask(ctx: BuiltinContext): Promise<number> {
  if (ctx.argv.length === 1) await ctx.io.stdout.write("0022\n");
  return 0;
}

export async function ulimit(ctx: BuiltinContext): Promise<number> {
  if (ctx.argv.length <= 2 && !ctx.argv.slice(1).some((a) => !a.startsWith("-"))) await ctx.io.stdout.write("unlimited\n");
  return 0;
}

/** mapfile / readarray [-t] [-n count] [-s skip] [array] */
export async function mapfile(ctx: BuiltinContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let trim = false;
  let count = Infinity;
  let skip = 0;
  let name = "MAPFILE";
  while (args.length) {
    const a = args.shift()!;
    if (a === "-t") trim = true;
    else if (a === "-n") count = Number(args.shift() ?? 0) || Infinity;
    else if (a === "-s") skip = Number(args.shift() ?? 0);
    else if (NAME_RE.test(a)) name = a;
  }
  const reader = readerFor(ctx.io.stdin);
  const lines: string[] = [];
  const dec = new TextDecoder();
  while (lines.length < count) {
    const { data, found } = await unlessAborted(reader.readUntil(0x0a), ctx.sh.signal);
    if (!found && data.length === 0) break;
    if (skip > 0) {
      skip--;
      continue;
    }
    lines.push(dec.decode(data) + (found && !trim ? "\n" : ""));
    if (!found) break;
  }
  ctx.sh.set(name, lines);
  return 0;
}
