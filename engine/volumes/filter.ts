import { versionAtLeast } from "../api-version.js";
import { InvalidParameterError } from "../errors.js";
import type { EventLog } from "../events/log.js";
import type { FilterArgs } from "../filter-args.js";
import { ANONYMOUS_LABEL, type Volume, type VolumeStore } from "./store.js";

/** The label and label! filters as moby's byLabelFilter reads them. */
function labelsMatch(filters: FilterArgs, labels: Record<string, string>): boolean {
  if (!filters.matchKVList("label", labels)) return false;
  for (const value of filters.get("label!")) {
    const eq = value.indexOf("=");
    const key = eq < 0 ? value : value.slice(0, eq);
    if (Object.hasOwn(labels, key) && (eq < 0 || labels[key] === value.slice(eq + 1))) return false;
  }
  return true;
}

/** GET /volumes: filters dangling, driver, label, name. */
export function listVolumes(store: VolumeStore, filters: FilterArgs): Volume[] {
  filters.validate(["dangling", "name", "driver", "label"]);
  const dangling = filters.contains("dangling") ? filters.boolOrDefault("dangling", false) : undefined;
  return store
    .list()
    .filter((v) => filters.exactMatch("driver", v.driver))
    .filter((v) => !filters.contains("name") || filters.match("name", v.name))
    .filter((v) => labelsMatch(filters, v.labels))
    .filter((v) => dangling === undefined || (store.users(v.name).length === 0) === dangling);
}

/**
 * POST /volumes/prune: unused local volumes without options; from API 1.42
 * only anonymous ones unless `all` is set, as moby's withPrune does.
 */
export async function pruneVolumes(store: VolumeStore, events: EventLog, filters: FilterArgs, apiVersion: string) {
  const newer = versionAtLeast(apiVersion, "1.42");
  filters.validate(newer ? ["label", "label!", "all"] : ["label", "label!"]);
  let all = !newer;
  const values = filters.get("all");
  if (values.length > 1) throw new InvalidParameterError(`invalid filter 'all=[${values.join(" ")}]': only one value is expected`);
  if (values.length === 1) {
    const parsed = parseBool(values[0]);
    if (parsed === undefined) throw new InvalidParameterError(`invalid filter 'all': strconv.ParseBool: parsing "${values[0]}": invalid syntax`);
    all = parsed;
  }
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const v of store.list()) {
    if (Object.keys(v.options).length || store.users(v.name).length) continue;
    if (!all && !Object.hasOwn(v.labels, ANONYMOUS_LABEL)) continue;
    if (!labelsMatch(filters, v.labels)) continue;
    const size = await store.size(v);
    store.remove(v.name);
    deleted.push(v.name);
    reclaimed += size;
  }
  events.log("volume", "prune", { ID: "", Attributes: { reclaimed: String(reclaimed) } });
  return { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
}

/** Go's strconv.ParseBool. */
function parseBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}
