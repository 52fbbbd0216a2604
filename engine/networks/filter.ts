import { SystemError } from "../errors.js";
import type { EventLog } from "../events/log.js";
import type { FilterArgs } from "../filter-args.js";
import { parseTimeFilter } from "../timestamps.js";
import type { ContainerNetworks } from "./container-networks.js";
import type { Network, NetworkStore } from "./store.js";

const nanos = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

/** GET /networks: filters dangling, driver, id, label, name, scope, type. */
export function listNetworks(store: NetworkStore, members: ContainerNetworks, filters: FilterArgs): Network[] {
  filters.validate(["dangling", "driver", "id", "label", "name", "scope", "type"]);
  for (const t of filters.get("type")) if (t !== "custom" && t !== "builtin") throw new SystemError(`invalid filter: 'type'='${t}'`);
  const dangling = filters.contains("dangling") ? filters.boolOrDefault("dangling", false) : undefined;
  return store
    .list()
    .filter((n) => filters.exactMatch("driver", n.driver))
    .filter((n) => !filters.contains("id") || filters.match("id", n.id))
    .filter((n) => !filters.contains("name") || filters.match("name", n.name))
    .filter((n) => filters.matchKVList("label", n.labels))
    .filter((n) => filters.exactMatch("scope", "local"))
    .filter((n) => !filters.contains("type") || filters.get("type").includes(store.isPredefined(n) ? "builtin" : "custom"))
    .filter((n) => dangling === undefined || (!store.isPredefined(n) && members.members(n.id).length === 0) === dangling);
}

/** POST /networks/prune: user networks no running container uses, by until, label and label!. */
export function pruneNetworks(store: NetworkStore, members: ContainerNetworks, events: EventLog, filters: FilterArgs, containerName: (id: string) => string) {
  filters.validate(["until", "label", "label!"]);
  const untils = filters.get("until");
  if (untils.length > 1) throw new SystemError("more than one until filter specified");
  const until = untils.length ? parseTimeFilter(untils[0]) : undefined;
  const deleted: string[] = [];
  for (const n of store.list()) {
    if (store.isPredefined(n) || members.members(n.id).length) continue;
    if (until !== undefined && nanos(n.created) > until) continue;
    if (!filters.matchKVList("label", n.labels)) continue;
    if (filters.contains("label!") && filters.matchKVList("label!", n.labels)) continue;
    store.remove(n.id, containerName);
    deleted.push(n.name);
  }
  events.log("network", "prune", { ID: "", Attributes: {} });
  return { NetworksDeleted: deleted.length ? deleted : null };
}
