import type { BackendDescription } from "../../backends/backend.js";
import type { HostConfig } from "./config.js";

/** A resource limit of HostConfig: what it is called in Docker's warning, and its unset value. */
interface Resource {
  what: string;
  discarded: string;
  unset: unknown;
}

const RESOURCES: Record<string, Resource> = {
  Memory: { what: "memory limit", discarded: "Limitation discarded.", unset: 0 },
  MemoryReservation: { what: "memory soft limit", discarded: "Memory reservation discarded.", unset: 0 },
  MemorySwap: { what: "swap limit capabilities", discarded: "Memory limited without swap.", unset: 0 },
  MemorySwappiness: { what: "memory swappiness capabilities", discarded: "Memory swappiness discarded.", unset: null },
  KernelMemory: { what: "kernel memory limit capabilities", discarded: "Limitation discarded.", unset: 0 },
  OomKillDisable: { what: "OomKillDisable", discarded: "OomKillDisable discarded.", unset: false },
  PidsLimit: { what: "PIDs limit capabilities", discarded: "PIDs limit discarded.", unset: null },
  CpuShares: { what: "CPU shares", discarded: "Shares discarded.", unset: 0 },
  CpuPeriod: { what: "CPU CFS period", discarded: "Period discarded.", unset: 0 },
  CpuQuota: { what: "CPU CFS quota", discarded: "Quota discarded.", unset: 0 },
  CpuRealtimePeriod: { what: "CPU real-time period", discarded: "Period discarded.", unset: 0 },
  CpuRealtimeRuntime: { what: "CPU real-time runtime", discarded: "Runtime discarded.", unset: 0 },
  NanoCpus: { what: "CPU CFS scheduler", discarded: "NanoCPUs discarded.", unset: 0 },
  CpusetCpus: { what: "cpuset", discarded: "Cpuset discarded.", unset: "" },
  CpusetMems: { what: "cpuset", discarded: "Cpuset discarded.", unset: "" },
  BlkioWeight: { what: "Block I/O weight", discarded: "Weight discarded.", unset: 0 },
  BlkioWeightDevice: { what: "Block I/O weight_device", discarded: "Weight-device discarded.", unset: [] },
  BlkioDeviceReadBps: { what: "BPS Block I/O read limit", discarded: "Block I/O BPS read limit discarded.", unset: [] },
  BlkioDeviceWriteBps: { what: "BPS Block I/O write limit", discarded: "Block I/O BPS write limit discarded.", unset: [] },
  BlkioDeviceReadIOps: { what: "IOPS Block read limit", discarded: "Block I/O IOPS read limit discarded.", unset: [] },
  BlkioDeviceWriteIOps: { what: "IOPS Block write limit", discarded: "Block I/O IOPS write limit discarded.", unset: [] },
};

/** Whether a value asks for a limit (0, -1, null, false, "" and [] mean none). */
function isSet(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== undefined && v !== null && v !== 0 && v !== -1 && v !== false && v !== "";
}

/**
 * Limits the backend cannot enforce are discarded with a warning, as dockerd
 * does on a kernel without the cgroup for them — never accepted silently.
 */
export function discardUnenforced(host: HostConfig, backend: BackendDescription): string[] {
  const warnings: string[] = [];
  for (const [field, r] of Object.entries(RESOURCES)) {
    if (!isSet(host[field]) || backend.capabilities.resources.includes(field)) continue;
    const warning = `The ${backend.name} backend does not support ${r.what}. ${r.discarded}`;
    if (!warnings.includes(warning)) warnings.push(warning);
    host[field] = r.unset;
  }
  return warnings;
}

export const RESOURCE_FIELDS = Object.keys(RESOURCES);
