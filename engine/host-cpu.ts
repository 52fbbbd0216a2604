import { readFileSync } from "node:fs";

/** /proc/stat counts in USER_HZ ticks, 100 per second on Linux. */
const NS_PER_TICK = 1e9 / 100;

/**
 * The host's CPU time in nanoseconds and its online CPUs, read from
 * /proc/stat as dockerd reads them for system_cpu_usage and online_cpus.
 */
export function hostCpu(): { systemNs: number; onlineCpus: number } {
  const lines = readFileSync("/proc/stat", "utf8").split("\n");
  const total = lines.find((l) => l.startsWith("cpu "));
  if (!total) throw new Error("/proc/stat has no cpu line");
  // user nice system idle iowait irq softirq, as dockerd sums them.
  const ticks = total.trim().split(/\s+/).slice(1, 8).reduce((sum, f) => sum + Number(f), 0);
  return { systemNs: ticks * NS_PER_TICK, onlineCpus: lines.filter((l) => /^cpu\d+ /.test(l)).length };
}
