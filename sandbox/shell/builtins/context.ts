import type { Executor } from "../exec.js";
import type { IO, Shell } from "../state.js";

export interface BuiltinContext {
  sh: Shell;
  io: IO;
  argv: string[];
  exec: Executor;
}

export type Builtin = (ctx: BuiltinContext) => Promise<number>;

/** Writes `sh: line N: msg` to stderr and returns `status`. */
export async function fail(ctx: BuiltinContext, msg: string, status = 1): Promise<number> {
  await ctx.io.stderr.write(`${ctx.sh.name}: line ${ctx.sh.line}: ${ctx.argv[0]}: ${msg}\n`);
  return status;
}

export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
