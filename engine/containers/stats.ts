import os from "node:os";
import type { Backend, ContainerUsage } from "../../backends/backend.js";
import { NotImplementedError } from "../errors.js";
import { hostCpu } from "../host-cpu.js";
import type { Container } from "./manager.js";
import { nowIso as now } from "../clock.js";
import { ZERO_TIME } from "./state.js";

/** One measurement of a running container. */
export interface StatsSample {
  read: string;
  usage: ContainerUsage;
  systemNs: number;
  onlineCpus: number;
}

/** Measures a running container now; undefined when it is not running (or stopped meanwhile). */
export async function sampleStats(c: Container, running: boolean, backend: Backend): Promise<StatsSample | undefined> {
  if (!running) return undefined;
  if (!backend.usage) throw new NotImplementedError(`container stats are not supported by the ${backend.describe(c.config.Labels ?? {}).name} backend`);
  const usage = await backend.usage(c.id);
  if (!usage) return undefined;
  return { read: now(), usage, ...hostCpu() };
}

const zeroCpu = () => ({
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

function cpuStats(s: StatsSample | undefined) {
  if (!s) return zeroCpu();
  const cpu = s.usage.cpu;
  return {
    cpu_usage: { total_usage: cpu?.total ?? 0, usage_in_kernelmode: cpu?.kernel ?? 0, usage_in_usermode: cpu?.user ?? 0 },
    system_cpu_usage: s.systemNs,
    online_cpus: s.onlineCpus,
    // No backend throttles CPU, so nothing was ever throttled.
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

/**
 * Docker's stats object. Without a sample (not running) it is the zeroed
 * object dockerd sends: zero times, empty memory and pids, null block I/O.
 * Figures the backend does not measure are left out where Docker omits
 * zeros (memory usage, pids) and 0 elsewhere; block I/O is never measured.
 */
export function statsBody(c: Container, cur: StatsSample | undefined, pre: StatsSample | undefined) {
  const blkio = Object.fromEntries(
    ["io_service_bytes_recursive", "io_serviced_recursive", "io_queue_recursive", "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive", "io_time_recursive", "sectors_recursive"].map((k) => [k, null]),
  );
  const memory = cur ? { ...(cur.usage.memory ? { usage: cur.usage.memory } : {}), limit: c.hostConfig.Memory || os.totalmem() } : {};
  return {
    read: cur?.read ?? ZERO_TIME,
    preread: pre?.read ?? ZERO_TIME,
    pids_stats: cur?.usage.pids ? { current: cur.usage.pids } : {},
    blkio_stats: blkio,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(cur),
    precpu_stats: cpuStats(pre),
    memory_stats: memory,
    name: c.name,
    id: c.id,
  };
}
