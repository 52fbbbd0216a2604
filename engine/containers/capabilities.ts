import type { Backend, BackendDescription, ContainerSpec, ProcessSpec } from "../../backends/backend.js";
import { NotImplementedError } from "../errors.js";

/** Refuses a start that needs what the backend declares it cannot do; a health check runs as an exec. */
export function checkStartSupported(about: BackendDescription, spec: ContainerSpec, main: ProcessSpec, healthChecked: boolean, containerId: string): void {
  // Docker's default hostname is the short ID; only one the client chose is refused.
  if (about.capabilities.hostname === false && main.hostname !== containerId.slice(0, 12)) {
    throw new NotImplementedError(`a hostname of the container's own (${main.hostname}) is not supported by the ${about.name} backend`);
  }
  if (about.capabilities.groupAdd === false && main.groups.length > 0) throw new NotImplementedError(`supplementary groups (--group-add) are not supported by the ${about.name} backend`);
  if (healthChecked && !about.capabilities.exec) throw new NotImplementedError(`health checks are not supported by the ${about.name} backend: they run as execs, which it cannot run`);
  const mount = spec.mounts[0];
  if (mount && !about.capabilities.mounts) {
    throw new NotImplementedError(`mounts are not supported by the ${about.name} backend: it cannot mount ${mount.type === "tmpfs" ? "a tmpfs" : `a ${mount.type}`} at ${mount.destination}`);
  }
  if (main.stdin && !about.capabilities.attach) throw new NotImplementedError(`input to a container's main process (OpenStdin) is not supported by the ${about.name} backend`);
}

export function checkExecSupported(about: BackendDescription, exec: { user: string; containerUser: string; stdin: boolean; tty: boolean }): void {
  if (!about.capabilities.exec) throw new NotImplementedError(`exec is not supported by the ${about.name} backend`);
  if (about.capabilities.execUser === false && exec.user && exec.user !== exec.containerUser) {
    throw new NotImplementedError(`an exec as another user than the container's is not supported by the ${about.name} backend`);
  }
  if (about.capabilities.execInputEnds === false && exec.stdin && !exec.tty) {
    throw new NotImplementedError(`an exec's input without a terminal (-i without -t) is not supported by the ${about.name} backend: the end of the input cannot reach the command`);
  }
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
