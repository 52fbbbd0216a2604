import { InvalidParameterError } from "../errors.js";
import type { ContainerConfig, HostConfig } from "./config.js";
import type { Healthcheck } from "./health.js";

/**
 * Docker's checks on create that do not need the backend, in moby's order:
 * the Config (validateContainerConfig), the HostConfig (validateHostConfig),
 * then the resource checks of verifyPlatformContainerSettings.
 */
export function validateCreate(config: ContainerConfig, host: HostConfig): void {
  const workdir = config.WorkingDir;
  if (workdir && !workdir.startsWith("/")) throw new InvalidParameterError(`the working directory '${workdir}' is invalid, it needs to be an absolute path`);
  validateHealthcheck(config.Healthcheck as Healthcheck | undefined);
  if (config.Hostname !== undefined && config.Hostname.length > 63) throw new InvalidParameterError(`invalid hostname format: ${config.Hostname}`);
  validateRestartPolicy(host.RestartPolicy);
  if (host.AutoRemove && !isNoRestart(host.RestartPolicy)) throw new InvalidParameterError("can't create 'AutoRemove' container with restart policy");
  validateResources(host);
  if ((host.ShmSize as number | undefined) !== undefined && (host.ShmSize as number) < 0) throw new InvalidParameterError("SHM size can not be less than 0");
  const oom = host.OomScoreAdj as number | undefined;
  if (oom !== undefined && (oom < -1000 || oom > 1000)) throw new InvalidParameterError(`Invalid value ${oom}, range for oom score adj is [-1000, 1000]`);
}

export const isNoRestart = (policy: HostConfig["RestartPolicy"]) => !policy?.Name || policy.Name === "no";

/** moby's validateRestartPolicy, in the words of API 1.51. */
export function validateRestartPolicy(restart: HostConfig["RestartPolicy"]): void {
  const policy = restart?.Name ?? "";
  const retries = restart?.MaximumRetryCount ?? 0;
  if (!["", "no", "always", "unless-stopped", "on-failure"].includes(policy)) {
    throw new InvalidParameterError(`invalid restart policy: unknown policy '${policy}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (retries < 0) throw new InvalidParameterError("invalid restart policy: maximum retry count cannot be negative");
  if (policy !== "on-failure" && policy !== "" && retries > 0) {
    throw new InvalidParameterError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
}

/** moby's checks of a health check's durations (nanoseconds) and retries. */
function validateHealthcheck(hc: Healthcheck | undefined): void {
  if (!hc) return;
  const tooShort = (ns: number | undefined) => ns !== undefined && ns !== 0 && ns < 1_000_000;
  if (tooShort(hc.Interval)) throw new InvalidParameterError("Interval in Healthcheck cannot be less than 1ms");
  if (tooShort(hc.Timeout)) throw new InvalidParameterError("Timeout in Healthcheck cannot be less than 1ms");
  if ((hc.Retries ?? 0) < 0) throw new InvalidParameterError("Retries in Healthcheck cannot be negative");
  if (tooShort(hc.StartPeriod)) throw new InvalidParameterError("StartPeriod in Healthcheck cannot be less than 1ms");
  if (tooShort(hc.StartInterval)) throw new InvalidParameterError("StartInterval in Healthcheck cannot be less than 1ms");
}

/** The memory and CPU checks of verifyPlatformContainerResources that hold whatever the backend enforces; also for update. */
export function validateResources(host: HostConfig): void {
  const n = (field: string) => (host[field] as number | undefined) ?? 0;
  const memory = n("Memory");
  if (memory !== 0 && memory < 6 * 1024 * 1024) throw new InvalidParameterError("Minimum memory limit allowed is 6MB");
  if (memory > 0 && n("MemorySwap") > 0 && n("MemorySwap") < memory) throw new InvalidParameterError("Minimum memoryswap limit should be larger than memory limit, see usage");
  if (memory > 0 && n("MemoryReservation") > 0 && memory < n("MemoryReservation")) {
    throw new InvalidParameterError("Minimum memory limit can not be less than memory reservation limit, see usage");
  }
  if (n("NanoCpus") > 0 && n("CpuPeriod") > 0) throw new InvalidParameterError("Conflicting options: Nano CPUs and CPU Period cannot both be set");
  if (n("NanoCpus") > 0 && n("CpuQuota") > 0) throw new InvalidParameterError("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
}
