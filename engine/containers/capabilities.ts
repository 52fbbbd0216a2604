import type { Backend, BackendDescription, ContainerSpec, ProcessSpec } from "../../backends/backend.js";
import { NotImplementedError } from "../errors.js";

/** Refuses a start that needs what the backend declares it cannot do; a health check runs as an exec. */
export function checkStartSupported(about: BackendDescription, spec: ContainerSpec, main: ProcessSpec, healthChecked: boolean): void {
  if (healthChecked && !about.capabilities.exec) throw new NotImplementedError(`health checks are not supported by the ${about.name} backend: they run as execs, which it cannot run`);
  const mount = spec.mounts[0];
  if (mount && !about.capabilities.mounts) {
    throw new NotImplementedError(`mounts are not supported by the ${about.name} backend: it cannot mount ${mount.type === "tmpfs" ? "a tmpfs" : `a ${mount.type}`} at ${mount.destination}`);
  }
  if (main.stdin && !about.capabilities.attach) throw new NotImplementedError(`input to a container's main process (OpenStdin) is not supported by the ${about.name} backend`);
}

export function checkExecSupported(about: BackendDescription): void {
  if (!about.capabilities.exec) throw new NotImplementedError(`exec is not supported by the ${about.name} backend`);
}

/** Refuses a signal other than a stop's where the backend can only stop a container. */
export function checkSignalSupported(about: BackendDescription, signal: string): void {
  if (signal !== "SIGTERM" && signal !== "SIGKILL" && !about.capabilities.signals) {
    throw new NotImplementedError(`sending ${signal} is not supported by the ${about.name} backend: it can only stop a container (SIGTERM, then SIGKILL)`);
  }
}

/** What the backend cannot do, as `docker version` lists it for clients and conformance runners. */
export function unsupportedFeatures(backend: Backend): string[] {
  const about = backend.describe();
  const missing = Object.entries(about.capabilities)
    .filter(([, value]) => value === false)
    .map(([name]) => name);
  if (!backend.processes && !backend.listProcesses) missing.push("top");
  if (!backend.usage) missing.push("stats");
  if (!backend.writableLayerSize) missing.push("size");
  return missing.sort();
}
