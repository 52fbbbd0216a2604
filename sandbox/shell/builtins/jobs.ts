import { SIGNAL_NUMBERS, unlessAborted } from "../errors.js";
import { shellQuote } from "../quote.js";
import { fail, type BuiltinContext } from "./context.js";

const SIGNALS: Record<string, string> = { "0": "EXIT", "1": "HUP", "2": "INT", "3": "QUIT", "6": "ABRT", "9": "KILL", "10": "USR1", "12": "USR2", "13": "PIPE", "14": "ALRM", "15": "TERM", "17": "CHLD" };

function signalName(s: string): string {
  const u = s.toUpperCase().replace(/^SIG/, "");
  return SIGNALS[u] ?? u;
}

export async function trap(ctx: BuiltinContext): Promise<number> {
  const { sh, io } = ctx;
  let args = ctx.argv.slice(1);
  if (args[0] === "--") args = args.slice(1);
  if (args[0] === "-l") {
    await io.stdout.write(Object.entries(SIGNALS).filter(([n]) => n !== "0").map(([n, s]) => `${n}) SIG${s}`).join(" ") + "\n");
    return 0;
  }
  if (args.length === 0 || args[0] === "-p") {
    const only = args.slice(1).map(signalName);
    for (const [sig, action] of sh.traps) {
      if (only.length && !only.includes(sig)) continue;
      await io.stdout.write(`trap -- ${shellQuote(action)} ${sig}\n`);
    }
    return 0;
  }
  // A single numeric argument means "reset these signals", as POSIX says.
  const action = args.length === 1 || /^\d+$/.test(args[0]) ? "-" : args.shift()!;
  for (const s of args) {
    const sig = signalName(s);
    if (action === "-") sh.traps.delete(sig);
    else sh.traps.set(sig, action);
  }
  return 0;
}

/** Resolves, once a trapped signal is pending, with the status `wait` then returns: 128 + its number (its trap runs next). */
const trapped = (sh: BuiltinContext["sh"]) => sh.trapArrival().then(() => ({ trapped: 128 + (SIGNAL_NUMBERS[sh.pendingTraps[0]] ?? 0) }));

/** A trapped signal ends any wait at once, as in POSIX shells. */
export async function wait(ctx: BuiltinContext): Promise<number> {
  const { sh } = ctx;
  const args = ctx.argv.slice(1).filter((a) => a !== "-f");
  if (args[0] === "-n") {
    if (sh.jobs.length === 0) return 127;
    const first = await unlessAborted(Promise.race([...sh.jobs.map((j) => j.done.then((s) => ({ j, s }))), trapped(sh)]), sh.signal);
    if ("trapped" in first) return first.trapped;
    sh.jobs = sh.jobs.filter((j) => j !== first.j);
    return first.s;
  }
  if (args.length === 0) {
    while (sh.jobs.length) {
      const jobs = sh.jobs.slice();
      const all = await unlessAborted(Promise.race([Promise.all(jobs.map((j) => j.done)).then(() => ({ done: true })), trapped(sh)]), sh.signal);
      if ("trapped" in all) return all.trapped;
      sh.jobs = sh.jobs.filter((j) => !jobs.includes(j));
    }
    return 0;
  }
  let status = 0;
  for (const a of args) {
    const pid = Number(a.replace(/^%/, ""));
    const job = sh.jobs.find((j) => j.pid === pid);
    if (!job) {
      status = await fail(ctx, `pid ${a} is not a child of this shell`, 127);
      continue;
    }
    const ended = await unlessAborted(Promise.race([job.done.then((s) => ({ s })), trapped(sh)]), sh.signal);
    if ("trapped" in ended) return ended.trapped;
    status = ended.s;
    sh.jobs = sh.jobs.filter((j) => j !== job);
  }
  return status;
}

/** Where a command name leads: builtin, function, or a file on PATH. */

export async function kill(ctx: BuiltinContext): Promise<number> {
  const { sh } = ctx;
  const args = ctx.argv.slice(1);
  let signal = "TERM";
  if (args[0] === "-l" || args[0] === "-L") {
    await ctx.io.stdout.write(Object.keys(SIGNAL_NUMBERS).join(" ") + "\n");
    return 0;
  }
  if (args[0] === "-s" || args[0] === "-n") {
    args.shift();
    signal = args.shift() ?? "TERM";
  } else if (args[0]?.startsWith("-") && args[0] !== "--") {
    signal = args.shift()!.slice(1);
  }
  if (args[0] === "--") args.shift();
  if (/^\d+$/.test(signal)) signal = Object.keys(SIGNAL_NUMBERS).find((k) => String(SIGNAL_NUMBERS[k]) === signal) ?? signal;
  signal = signal.toUpperCase().replace(/^SIG/, "");
  if (args.length === 0) return fail(ctx, "usage: kill [-s sigspec | -n signum | -sigspec] pid ...", 2);
  const others: string[] = [];
  let status = 0;
  for (const a of args) {
    const job = a.startsWith("%") ? sh.jobs[Number(a.slice(1)) - 1] : sh.jobs.find((j) => j.pid === Number(a));
    if (job) {
      if (signal !== "0") job.kill(`SIG${signal}`);
    } else others.push(a);
  }
  if (others.length) {
    const s = await sh.external({ argv: ["kill", `-${signal}`, ...others], env: sh.environment(), cwd: sh.cwd, stdin: ctx.io.stdin, stdout: ctx.io.stdout, stderr: ctx.io.stderr, signal: sh.signal });
    if (s !== 0) status = s;
  }
  return status;
}
