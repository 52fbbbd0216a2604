import { InvalidParameterError, NotFoundError, SystemError } from "../errors.js";
import type { FilterArgs } from "../filter-args.js";
import { atoi } from "../strconv.js";
import type { ContainerState } from "./state.js";

/** What `GET /containers/json` filters on, for one container. */
export interface ListedContainer {
  id: string;
  /** With the leading slash. */
  name: string;
  /** RFC 3339 with nanoseconds; the list is newest first. */
  created: string;
  imageId: string;
  labels: Record<string, string>;
  status: ContainerState["Status"];
  /** Docker's State.Running, which stays true while paused. */
  running: boolean;
  exitCode: number;
  startedAt: string;
  /** none, starting, healthy or unhealthy. */
  health: string;
  mounts: { name?: string; source: string; destination: string }[];
  networks: { name: string; id: string }[];
  ports: { privatePort: number; publicPort?: number; type: string }[];
  /** A swarm task's container; this daemon has no swarm. */
  isTask: boolean;
}

export interface ListOptions {
  all: boolean;
  /** Zero or less: no limit. */
  limit: number;
  filters: FilterArgs;
}

export const LIST_FILTERS = ["ancestor", "before", "exited", "id", "isolation", "label", "name", "status", "health", "since", "volume", "network", "is-task", "publish", "expose"] as const;
const STATES = ["created", "running", "paused", "restarting", "removing", "exited", "dead"];
const HEALTHS = ["none", "starting", "healthy", "unhealthy"];
const ZERO_TIME = "0001-01-01T00:00:00Z";

/**
 * The containers `docker ps` shows, newest first, as dockerd's daemon/list.go
 * decides: the same checks in the same order, with its error messages.
 * `resolveImage` gives the image ID a reference names, or undefined.
 */
export function filterContainers<T extends ListedContainer>(records: T[], options: ListOptions, resolveImage: (ref: string) => string | undefined): T[] {
  const f = options.filters;
  f.validate(LIST_FILTERS);
  const exitCodes = f.get("exited").map((v) => {
    try {
      return atoi(v);
    } catch (err) {
      throw new InvalidParameterError(`invalid filter 'exited=${v}': ${(err as Error).message}`);
    }
  });
  let all = options.all;
  for (const v of f.get("status")) {
    if (!STATES.includes(v)) throw new InvalidParameterError(`invalid filter 'status=${v}': invalid value for state (${v}): must be one of ${STATES.join(", ")}`);
    all = true;
  }
  const taskFilter = f.contains("is-task");
  const isTask = f.boolOrDefault("is-task", false);
  for (const v of f.get("health")) {
    if (!HEALTHS.includes(v)) throw new InvalidParameterError(`invalid filter 'health=${v}': invalid value for health (${v}): must be one of ${HEALTHS.join(", ")}`);
  }
  const sorted = [...records].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  let before = f.get("before").map((v) => idOrName(sorted, v)).pop();
  const since = f.get("since").map((v) => idOrName(sorted, v)).pop();
  const ancestors = f.contains("ancestor") ? new Set(f.get("ancestor").flatMap((ref) => resolveImage(ref) ?? [])) : undefined;
  const publish = ports(f, "publish");
  const expose = ports(f, "expose");

  let candidates = sorted;
  const ids = f.get("id");
  if (ids.length > 0) {
    // dockerd looks IDs up by unique prefix first; an ambiguous or unknown one matches nothing.
    const found = new Set(ids.flatMap((id) => uniquePrefix(sorted, id)));
    candidates = sorted.filter((c) => found.has(c.id));
  }

  const out: T[] = [];
  for (const c of candidates) {
    if (before) {
      if (c.id === before.id) before = undefined;
      continue;
    }
    if (since && c.id === since.id) break;
    if (!c.running && !all && options.limit <= 0) continue;
    if (!f.match("name", c.name) && !f.match("name", c.name.replace(/^\//, ""))) continue;
    if (!f.match("id", c.id)) continue;
    if (taskFilter && isTask !== c.isTask) continue;
    if (!f.matchKVList("label", c.labels)) continue;
    if (options.limit > 0 && out.length === options.limit) break;
    if (exitCodes.length > 0 && !exitCodes.some((code) => code === c.exitCode && !c.running && c.startedAt !== ZERO_TIME)) continue;
    if (!f.match("status", c.status)) continue;
    if (!f.exactMatch("health", c.health)) continue;
    if (f.contains("volume")) {
      const wanted = f.get("volume");
      if (!c.mounts.some((m) => wanted.includes(m.destination) || wanted.includes(m.name || m.source))) continue;
    }
    if (ancestors && !ancestors.has(c.imageId)) continue;
    if (f.contains("network")) {
      const wanted = f.get("network");
      if (!c.networks.some((n) => wanted.some((w) => n.name === w || n.id.startsWith(w)))) continue;
    }
    if (publish.size > 0 || expose.size > 0) {
      if (!c.ports.some((p) => publish.has(`${p.publicPort ?? 0}/${p.type}`) || expose.has(`${p.privatePort}/${p.type}`))) continue;
    }
    out.push(c);
  }
  return out;
}

/** before/since name a container by full ID or by exact name, as dockerd's idOrNameFilter. */
function idOrName<T extends ListedContainer>(records: T[], value: string): T {
  const byId = records.find((c) => c.id === value);
  if (byId) return byId;
  const name = value.replace(/^\//, "");
  const byName = records.filter((c) => c.name.replace(/^\//, "") === name);
  if (byName.length !== 1) throw new NotFoundError(`No such container: ${value}`);
  return byName[0];
}

function uniquePrefix(records: ListedContainer[], prefix: string): string[] {
  if (prefix === "") return [];
  const matches = records.filter((c) => c.id.startsWith(prefix));
  return matches.length === 1 ? [matches[0].id] : [];
}

/** publish/expose values: port[/proto] or start-end[/proto], each port of a range as "N/proto". */
function ports(f: FilterArgs, key: "publish" | "expose"): Set<string> {
  const out = new Set<string>();
  for (const value of f.get(key)) {
    // dockerd reports these as plain errors, hence 500.
    if (value.includes(":")) throw new SystemError(`filter for '${key}' should not contain ':': ${value}`);
    const fail = (why: string) => new SystemError(`error while looking up for ${key} ${value}: ${why}`);
    if (value === "") throw fail("invalid port range: value is empty");
    const slash = value.indexOf("/");
    const range = slash < 0 ? value : value.slice(0, slash);
    const proto = slash < 0 || slash === value.length - 1 ? "tcp" : value.slice(slash + 1).toLowerCase();
    const dash = range.indexOf("-");
    const startText = dash < 0 ? range : range.slice(0, dash);
    const endText = dash < 0 ? startText : range.slice(dash + 1);
    const start = portNumber(startText);
    if (typeof start === "string") throw fail(`invalid start port '${startText}': ${start}`);
    let end = start;
    if (dash >= 0 && startText !== endText) {
      const e = portNumber(endText);
      if (typeof e === "string") throw fail(`invalid end port '${endText}': ${e}`);
      if (e < start) throw fail(`invalid port range: ${value}`);
      end = e;
    }
    for (let p = start; p <= end; p++) out.add(`${p}/${proto}`);
  }
  return out;
}

/** A port number, or Go's reason for refusing it. */
function portNumber(text: string): number | string {
  if (text === "") return "value is empty";
  if (!/^\d+$/.test(text)) return "invalid syntax";
  const n = Number(text);
  return n > 65535 ? "value out of range" : n;
}
