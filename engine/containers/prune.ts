import type { Backend } from "../../backends/backend.js";
import { SystemError } from "../errors.js";
import type { EventLog } from "../events/log.js";
import type { FilterArgs } from "../filter-args.js";
import { parseTimeFilter } from "../timestamps.js";
import { timeNanos } from "./logs.js";
import type { ContainerManager } from "./manager.js";

/** POST /containers/prune: removes every container that is not running and matches the filters (until, label, label!). */
export async function pruneContainers(
  containers: ContainerManager,
  backend: Backend,
  events: EventLog,
  filters: FilterArgs,
): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
  filters.validate(["until", "label", "label!"]);
  const untils = filters.get("until");
  if (untils.length > 1) throw new SystemError("more than one until filter specified");
  const until = untils.length ? parseTimeFilter(untils[0]) : undefined;
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const c of containers.list()) {
    if (containers.isActive(c.id)) continue;
    if (until !== undefined && timeNanos(c.created) > until) continue;
    const labels = (c.config.Labels ?? {}) as Record<string, string>;
    if (!filters.matchKVList("label", labels)) continue;
    if (filters.contains("label!") && filters.matchKVList("label!", labels)) continue;
    const size = (await backend.writableLayerSize?.(c.id)) ?? 0;
    try {
      await containers.remove(c.id, {});
    } catch {
      // As dockerd: a container that cannot be removed now is left for the next prune.
      continue;
    }
    deleted.push(c.id);
    reclaimed += size;
  }
  events.log("container", "prune", { ID: "", Attributes: { reclaimed: String(reclaimed) } });
  return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}
