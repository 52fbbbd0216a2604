import type { BackendDescription } from "../../backends/backend.js";
import { ConflictError, NotImplementedError } from "../errors.js";
import type { HostConfig } from "./config.js";
import { discardUnenforced, RESOURCE_FIELDS } from "./resources.js";
import { isNoRestart, validateResources, validateRestartPolicy } from "./validate.js";

/**
 * POST /containers/{id}/update on a container's HostConfig: the new
 * HostConfig and Docker's warnings, or Docker's error.
 */
export function updatedHostConfig(id: string, current: HostConfig, body: HostConfig, running: boolean, backend: BackendDescription): { hostConfig: HostConfig; warnings: string[] } {
  const cannot = (why: string) => `Cannot update container ${id}: ${why}`;
  if (body.RestartPolicy) {
    validateRestartPolicy(body.RestartPolicy);
    if (current.AutoRemove && !isNoRestart(body.RestartPolicy)) throw new ConflictError(cannot("Restart policy cannot be updated because AutoRemove is enabled for the container"));
  }
  validateResources(body);
  const changes: HostConfig = {};
  for (const field of RESOURCE_FIELDS) if (body[field] !== undefined) changes[field] = body[field];
  const warnings = discardUnenforced(changes, backend);
  if (running && changes.Memory !== undefined && changes.Memory !== (current.Memory ?? 0)) {
    throw new NotImplementedError(cannot(`changing the memory limit of a running container is not supported by the ${backend.name} backend`));
  }
  return { hostConfig: { ...current, ...changes, ...(body.RestartPolicy ? { RestartPolicy: body.RestartPolicy } : {}) }, warnings };
}
