import { randomBytes } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { versionAtLeast, versionLessThan } from "../api-version.js";
import { ForbiddenError, InvalidParameterError, SystemError } from "../errors.js";
import type { EventLog } from "../events/log.js";
import type { Db } from "../state/db.js";
import { endpoints } from "../state/schema.js";
import { contains, macFor, nextFree, parsePrefix4, prefixLength } from "./ipam.js";
import type { Network, NetworkStore } from "./store.js";

/** EndpointSettings as clients send them (NetworkingConfig.EndpointsConfig, connect). */
export interface EndpointConfig {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Aliases?: string[] | null;
  Links?: string[] | null;
  DriverOpts?: Record<string, string> | null;
  MacAddress?: string;
  GwPriority?: number;
  [field: string]: unknown;
}

export interface Endpoint {
  network: Network;
  config: EndpointConfig;
  endpointId: string;
  ipv4: string;
  mac: string;
}

/** What a container is, for its network records. */
export interface NetworkedContainer {
  id: string;
  name: string;
  hostConfig: Record<string, unknown>;
}

const CONFLICT_HOST = "container cannot be disconnected from host network or connected to host network";
const CONFLICT_NONE = "Container cannot be connected to multiple networks with one of the networks in private (none) mode";
const CONFLICT_SHARED = "Container sharing network namespace with another container or host cannot be connected to any other network";

/** The network HostConfig.NetworkMode names: default means the bridge; container:<id> shares another's and has none. */
export function networkModeName(mode: unknown): string | undefined {
  const m = typeof mode === "string" ? mode : "";
  if (m === "" || m === "default") return "bridge";
  if (m.startsWith("container:")) return undefined;
  return m;
}

/** Containers' memberships of networks: planned at create, addressed while running (dockerd allocates at start and releases at stop). */
export class ContainerNetworks {
  // Prepared once: `docker ps` reads every container's endpoints.
  private readonly ofContainer;
  private readonly everyEndpoint;
  /** Every container's endpoints, while `preloaded` runs. */
  private preload?: Map<string, Endpoint[]>;

  constructor(
    private readonly db: Db,
    readonly store: NetworkStore,
    private readonly events: EventLog,
  ) {
    this.ofContainer = db.select().from(endpoints).where(eq(endpoints.containerId, sql.placeholder("id"))).orderBy(asc(endpoints.position)).prepare();
    this.everyEndpoint = db.select().from(endpoints).orderBy(asc(endpoints.containerId), asc(endpoints.position)).prepare();
  }

  /** Runs `fn` (synchronous) with every container's endpoints read in one query, for views of many containers. */
  preloaded<T>(fn: () => T): T {
    const byId = new Map(this.store.list().map((n) => [n.id, n]));
    const all = new Map<string, Endpoint[]>();
    for (const r of this.everyEndpoint.all()) {
      const network = byId.get(r.networkId);
      if (!network) continue;
      const list = all.get(r.containerId) ?? [];
      list.push({ network, config: r.config as EndpointConfig, endpointId: r.endpointId, ipv4: r.ipv4, mac: r.mac });
      all.set(r.containerId, list);
    }
    this.preload = all;
    try {
      return fn();
    } finally {
      this.preload = undefined;
    }
  }

  /** The networks a create joins, checked: NetworkMode's network first, then NetworkingConfig's others. */
  plan(hostConfig: Record<string, unknown>, endpointsConfig: Record<string, EndpointConfig | null> | undefined, apiVersion: string): { network: Network; config: EndpointConfig }[] {
    const modeName = networkModeName(hostConfig.NetworkMode);
    // The CLI names the default network "default" in EndpointsConfig too.
    const entries = Object.entries(endpointsConfig ?? {}).map(([name, config]) => [name === "default" ? "bridge" : name, config] as const);
    if (versionLessThan(apiVersion, "1.44") && entries.length > 1) {
      throw new InvalidParameterError(`Container cannot be connected to network endpoints: ${entries.map(([n]) => n).join(", ")}`);
    }
    if (modeName === undefined) {
      if (entries.length) throw new InvalidParameterError(CONFLICT_SHARED);
      return [];
    }
    const main = this.store.get(modeName);
    const planned = new Map<string, { network: Network; config: EndpointConfig }>();
    const own = entries.find(([n]) => n === modeName || n === main.id)?.[1] ?? {};
    planned.set(main.id, { network: main, config: own ?? {} });
    for (const [name, config] of entries) {
      const n = this.store.get(name);
      if (n.id === main.id) continue;
      if (main.driver === "host" || n.driver === "host") throw new InvalidParameterError(CONFLICT_HOST);
      if (main.driver === "null" || n.driver === "null") throw new InvalidParameterError(CONFLICT_NONE);
      planned.set(n.id, { network: n, config: config ?? {} });
    }
    for (const p of planned.values()) this.checkConfig(p.network, p.config);
    return [...planned.values()];
  }

  private checkConfig(n: Network, config: EndpointConfig): void {
    const ip = config.IPAMConfig?.IPv4Address;
    if (!ip) return;
    if (this.store.isPredefined(n)) throw new InvalidParameterError("user specified IP address is supported on user defined networks only");
    const subnets = n.ipam.Config.map((c) => parsePrefix4(c.Subnet ?? "")).filter((p) => p !== undefined);
    if (!subnets.some((p) => contains(p, ip))) throw new InvalidParameterError(`no configured subnet or ip-range contain the IP address ${ip}`);
  }

  attach(containerId: string, planned: { network: Network; config: EndpointConfig }[]): void {
    planned.forEach(({ network, config }, position) => {
      this.db.insert(endpoints).values({ networkId: network.id, containerId, position, config }).run();
    });
  }

  list(containerId: string): Endpoint[] {
    if (this.preload) return this.preload.get(containerId) ?? [];
    const rows = this.ofContainer.all({ id: containerId });
    const byId = new Map(this.store.list().map((n) => [n.id, n]));
    return rows.flatMap((r) => {
      const network = byId.get(r.networkId);
      return network ? [{ network, config: r.config as EndpointConfig, endpointId: r.endpointId, ipv4: r.ipv4, mac: r.mac }] : [];
    });
  }

  /** The container starts: each endpoint gets its ID and address, announced with connect. */
  started(c: NetworkedContainer): void {
    for (const e of this.list(c.id)) this.join(c, e);
  }

  private join(c: NetworkedContainer, e: Endpoint): void {
    let ipv4 = "";
    const ipam = e.network.ipam.Config.find((cfg) => parsePrefix4(cfg.Subnet ?? ""));
    if (e.network.driver === "bridge" && ipam) {
      const taken = new Set(this.db.select({ ip: endpoints.ipv4 }).from(endpoints).where(eq(endpoints.networkId, e.network.id)).all().map((r) => r.ip));
      if (ipam.Gateway) taken.add(ipam.Gateway);
      const wanted = e.config.IPAMConfig?.IPv4Address;
      if (wanted && taken.has(wanted)) throw new ForbiddenError(`Address already in use`);
      ipv4 = wanted || nextFree(ipam, taken) || "";
      if (!ipv4) throw new ForbiddenError(`no available IPv4 addresses on this network's address pools: ${e.network.name} (${e.network.id})`);
    }
    const endpointId = randomBytes(32).toString("hex");
    const mac = ipv4 ? e.config.MacAddress || macFor(ipv4) : "";
    this.db.update(endpoints).set({ endpointId, ipv4, mac }).where(and(eq(endpoints.networkId, e.network.id), eq(endpoints.containerId, c.id))).run();
    this.events.log("network", "connect", { ID: e.network.id, Attributes: { container: c.id, name: e.network.name, type: e.network.driver } });
  }

  /** The container stopped: its endpoints and addresses are released, announced with disconnect. */
  stopped(c: NetworkedContainer): void {
    for (const e of this.list(c.id)) if (e.endpointId) this.leave(c, e);
  }

  private leave(c: NetworkedContainer, e: Endpoint): void {
    this.db.update(endpoints).set({ endpointId: "", ipv4: "", mac: "" }).where(and(eq(endpoints.networkId, e.network.id), eq(endpoints.containerId, c.id))).run();
    this.events.log("network", "disconnect", { ID: e.network.id, Attributes: { container: c.id, name: e.network.name, type: e.network.driver } });
  }

  /** Clears the endpoints a container held, without announcing it. */
  release(containerId: string): void {
    this.db.update(endpoints).set({ endpointId: "", ipv4: "", mac: "" }).where(eq(endpoints.containerId, containerId)).run();
  }

  /** POST /networks/{id}/connect. */
  connect(networkIdOrName: string, c: NetworkedContainer, config: EndpointConfig, running: boolean): void {
    const n = this.store.get(networkIdOrName);
    const mode = networkModeName(c.hostConfig.NetworkMode);
    if (mode === undefined) throw new ForbiddenError(CONFLICT_SHARED);
    const current = this.list(c.id);
    if (current.some((e) => e.network.id === n.id)) throw new ForbiddenError(`endpoint with name ${c.name.replace(/^\//, "")} already exists in network ${n.name}`);
    if (n.driver === "host" || current.some((e) => e.network.driver === "host")) throw new ForbiddenError(CONFLICT_HOST);
    if (n.driver === "null" || current.some((e) => e.network.driver === "null")) throw new ForbiddenError(CONFLICT_NONE);
    this.checkConfig(n, config);
    this.db.insert(endpoints).values({ networkId: n.id, containerId: c.id, position: current.length, config }).run();
    if (running) this.join(c, { network: n, config, endpointId: "", ipv4: "", mac: "" });
  }

  /** POST /networks/{id}/disconnect. */
  disconnect(networkIdOrName: string, c: NetworkedContainer): void {
    const n = this.store.get(networkIdOrName);
    const e = this.list(c.id).find((x) => x.network.id === n.id);
    if (!e) throw new SystemError(`container ${c.id} is not connected to network ${n.name}`);
    if (n.driver === "host") throw new ForbiddenError(CONFLICT_HOST);
    if (e.endpointId) this.leave(c, e);
    this.db.delete(endpoints).where(and(eq(endpoints.networkId, n.id), eq(endpoints.containerId, c.id))).run();
  }

  /** Containers with endpoints on a network now, as network inspect lists them. */
  members(networkId: string): { containerId: string; endpointId: string; ipv4: string; mac: string }[] {
    return this.db.select().from(endpoints).where(eq(endpoints.networkId, networkId)).all().filter((e) => e.endpointId !== "");
  }

  /** One endpoint as NetworkSettings.Networks shows it for the API version. */
  endpointView(c: NetworkedContainer, e: Endpoint, apiVersion: string) {
    const ipam = e.network.ipam.Config.find((cfg) => parsePrefix4(cfg.Subnet ?? ""));
    const userNetwork = !this.store.isPredefined(e.network);
    const shortId = c.id.slice(0, 12);
    const aliases = e.config.Aliases ?? null;
    // Before API 1.45 the short ID was added to a user network's aliases; DNSNames (1.44+) carries it since.
    const shownAliases = userNetwork && versionLessThan(apiVersion, "1.45") ? [...(aliases ?? []), shortId] : aliases;
    const active = e.endpointId !== "";
    return {
      IPAMConfig: e.config.IPAMConfig ?? null,
      Links: e.config.Links ?? null,
      Aliases: shownAliases,
      // From 1.44 this is also the configured address, shown before the endpoint exists.
      ...(versionAtLeast(apiVersion, "1.44") ? { MacAddress: e.mac || (e.config.MacAddress ?? "") } : {}),
      DriverOpts: e.config.DriverOpts ?? null,
      ...(versionAtLeast(apiVersion, "1.48") ? { GwPriority: e.config.GwPriority ?? 0 } : {}),
      NetworkID: e.network.id,
      EndpointID: e.endpointId,
      Gateway: active && e.ipv4 ? (ipam?.Gateway ?? "") : "",
      IPAddress: e.ipv4,
      IPPrefixLen: e.ipv4 ? prefixLength(ipam?.Subnet ?? "") : 0,
      IPv6Gateway: "",
      GlobalIPv6Address: "",
      GlobalIPv6PrefixLen: 0,
      ...(versionLessThan(apiVersion, "1.44") ? { MacAddress: e.mac } : {}),
      ...(versionAtLeast(apiVersion, "1.44") ? { DNSNames: active && userNetwork ? [c.name.replace(/^\//, ""), ...(aliases ?? []), shortId] : null } : {}),
    };
  }

  /** NetworkSettings.Networks by network name. */
  networksView(c: NetworkedContainer, apiVersion: string): Record<string, ReturnType<ContainerNetworks["endpointView"]>> {
    return Object.fromEntries(this.list(c.id).map((e) => [e.network.name, this.endpointView(c, e, apiVersion)]));
  }
}
