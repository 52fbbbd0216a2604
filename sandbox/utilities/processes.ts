import { cpus, freemem, loadavg, totalmem } from "node:os";
import { complain, type UtilityCall } from "./context.js";

/**
 * The container's processes as the sandbox knows them — PID 1 and each exec,
 * as `docker top` lists them; what a shell runs inside one of them is part
 * of that process. Per-process memory and CPU are not measured here (the
 * processes share a worker thread), so those columns are left out rather
 * than guessed.
 */
export interface ProcessRow {
  pid: number;
  ppid: number;
  user: string;
  argv: string[];
}

export type ProcessUtility = (call: UtilityCall, processes: () => ProcessRow[]) => Promise<number>;

const command = (p: ProcessRow) => p.argv.join(" ");

/** ps [-o pid,user,args ...] [aux]: busybox's columns. */
async function ps(call: UtilityCall, processes: () => ProcessRow[]): Promise<number> {
  const args = call.argv.slice(1);
  let columns = ["pid", "user", "args"];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-o" && args[i + 1]) columns = args[++i].split(",");
    else if (!/^-?[aeuxwlfT]+$/.test(args[i])) {
      await complain(call, `unrecognized option: ${args[i]}`);
      return 1;
    }
  }
  const cells: Record<string, [string, (p: ProcessRow) => string]> = {
    pid: ["PID", (p) => String(p.pid).padStart(5)],
    ppid: ["PPID", (p) => String(p.ppid).padStart(5)],
    user: ["USER", (p) => p.user.padEnd(8).slice(0, 8)],
    args: ["COMMAND", command],
    comm: ["COMMAND", (p) => (p.argv[0] ?? "").split("/").pop() ?? ""],
  };
  const unknown = columns.find((c) => !cells[c]);
  if (unknown) {
    await complain(call, `bad -o argument '${unknown}', supported arguments: ${Object.keys(cells).join(",")}`);
    return 1;
  }
  const header = columns.map((c) => (c === "pid" || c === "ppid" ? cells[c][0].padEnd(5) : c === "user" ? cells[c][0].padEnd(8) : cells[c][0])).join(" ");
  const rows = processes().map((p) => columns.map((c) => cells[c][1](p)).join(" "));
  await call.stdout.write([header, ...rows].map((l) => `${l}\n`).join(""));
  return 0;
}

/** One sample of the host's CPU time, for top's CPU line. */
function cpuTimes() {
  return cpus().reduce((t, c) => ({ user: t.user + c.times.user, nice: t.nice + c.times.nice, sys: t.sys + c.times.sys, idle: t.idle + c.times.idle, irq: t.irq + c.times.irq }), { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 });
}

/**
 * top [-b] [-n COUNT] [-d SECONDS]: a frame every interval until COUNT frames
 * or a signal. Memory, CPU and load are the host's, as top shows them in a
 * container; the process list is the container's.
 */
async function top(call: UtilityCall, processes: () => ProcessRow[]): Promise<number> {
  let frames = Infinity;
  let delay = 5;
  const args = call.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    for (let j = 1; a.startsWith("-") && j < a.length; j++) {
      const flag = a[j];
      if (flag === "b") continue;
      if (flag !== "n" && flag !== "d") {
        await complain(call, `invalid option -- '${flag}'`);
        return 1;
      }
      // The value is the rest of this word (-n1) or the next word (-n 1).
      const value = Number(j + 1 < a.length ? a.slice(j + 1) : args[++i]);
      if (!Number.isFinite(value)) {
        await complain(call, `invalid number for -${flag}`);
        return 1;
      }
      if (flag === "n") frames = value;
      else delay = value;
      break;
    }
  }
  // The first frame covers the time since boot, as /proc/stat counts it.
  let before = { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 };
  // As busybox's top: SIGINT, SIGTERM and SIGHUP end it even as PID 1, which ignores signals it does not catch.
  let caught = 0;
  let wake = () => {};
  call.signals?.((signal) => {
    const n = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal];
    if (!n) return false;
    caught = 128 + n;
    wake();
    return true;
  });
  for (let frame = 0; frame < frames; frame++) {
    if (frame > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          call.signal.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, delay * 1000);
        wake = done;
        call.signal.addEventListener("abort", done, { once: true });
      });
    }
    if (caught || call.signal.aborted) return caught;
    const now = cpuTimes();
    const d = { user: now.user - before.user, nice: now.nice - before.nice, sys: now.sys - before.sys, idle: now.idle - before.idle, irq: now.irq - before.irq };
    before = now;
    const total = d.user + d.nice + d.sys + d.idle + d.irq || 1;
    const pct = (v: number) => `${Math.round((v / total) * 100)}%`.padStart(3);
    const kb = (b: number) => `${Math.floor(b / 1024)}K`;
    const procs = processes();
    const [l1, l5, l15] = loadavg().map((l) => l.toFixed(2));
    await call.stdout.write(
      `Mem: ${kb(totalmem() - freemem())} used, ${kb(freemem())} free\n` +
        `CPU: ${pct(d.user)} usr ${pct(d.sys)} sys ${pct(d.nice)} nic ${pct(d.idle)} idle ${pct(0)} io ${pct(d.irq)} irq ${pct(0)} sirq\n` +
        `Load average: ${l1} ${l5} ${l15} ${procs.length}/${procs.length} ${Math.max(0, ...procs.map((p) => p.pid))}\n` +
        `  PID  PPID USER     COMMAND\n` +
        procs.map((p) => `${String(p.pid).padStart(5)} ${String(p.ppid).padStart(5)} ${p.user.padEnd(8).slice(0, 8)} ${command(p)}\n`).join("") +
        "\n",
    );
  }
  return 0;
}

export const processUtilities: Record<string, ProcessUtility> = { ps, top };
