import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { ConflictError, ForbiddenError, InvalidParameterError, NotFoundError } from "../errors.js";
import type { EventLog } from "../events/log.js";
import type { Db } from "../state/db.js";
import { endpoints, networks } from "../state/schema.js";
import { defaultPools, firstHost, overlapping, parsePrefix4, validateIpam, type Ipam, type IpamConfig } from "./ipam.js";

export interface Network {
  id: string;
  name: string;
  driver: string;
  created: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  ipam: { Driver: string; Options: Record<string, string> | null; Config: IpamConfig[] };
  options: Record<string, string>;
  labels: Record<string, string>;
}

export interface NetworkCreate {
  Name?: string;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network?: string } | null;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean | null;
  IPAM?: Ipam | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** The networks every dockerd has: their drivers, and the default bridge's address block. */
const PREDEFINED: { name: string; driver: string; ipam: IpamConfig[]; options: Record<string, string> }[] = [
  {
    name: "bridge",
    driver: "bridge",
    ipam: [{ Subnet: "172.17.0.0/16", Gateway: "172.17.0.1" }],
    options: {
      "com.docker.network.bridge.default_bridge": "true",
      "com.docker.network.bridge.enable_icc": "true",
      "com.docker.network.bridge.enable_ip_masquerade": "true",
      "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
      "com.docker.network.bridge.name": "docker0",
      "com.docker.network.driver.mtu": "1500",
    },
  },
  { name: "host", driver: "host", ipam: [], options: {} },
  { name: "none", driver: "null", ipam: [], options: {} },
];
export const PREDEFINED_NAMES = PREDEFINED.map((p) => p.name);

/** Networks in SQLite; the predefined ones are created once, so their IDs survive restarts. */
export class NetworkStore {
  // Prepared once: every container's summary and inspect looks its networks up.
  private readonly all;

  constructor(
    private readonly db: Db,
    private readonly events: EventLog,
  ) {
    this.all = db.select().from(networks).prepare();
    for (const p of PREDEFINED) {
      if (this.byName(p.name)) continue;
      this.insert({ id: randomBytes(32).toString("hex"), name: p.name, driver: p.driver, created: new Date().toISOString(), internal: false, attachable: false, enableIPv6: false, ipam: { Driver: "default", Options: null, Config: p.ipam }, options: p.options, labels: {} });
    }
  }

  private insert(n: Network): void {
    this.db.insert(networks).values(n).run();
  }

  private load(row: typeof networks.$inferSelect): Network {
    return { ...row, ipam: row.ipam as Network["ipam"], options: row.options as Record<string, string>, labels: row.labels as Record<string, string> };
  }

  private byName(name: string): Network | undefined {
    const row = this.db.select().from(networks).where(eq(networks.name, name)).get();
    return row ? this.load(row) : undefined;
  }

  list(): Network[] {
    return this.all.all().map((r) => this.load(r));
  }

  /** By full ID, name, or unique ID prefix, as dockerd's FindNetwork. */
  find(idOrName: string): Network | undefined {
    const all = this.list();
    const exact = all.find((n) => n.id === idOrName) ?? all.find((n) => n.name === idOrName);
    if (exact) return exact;
    const byPrefix = idOrName ? all.filter((n) => n.id.startsWith(idOrName)) : [];
    if (byPrefix.length > 1) throw new InvalidParameterError(`network ${idOrName} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    return byPrefix[0];
  }

  get(idOrName: string): Network {
    const n = this.find(idOrName);
    if (!n) throw new NotFoundError(`network ${idOrName} not found`);
    return n;
  }

  isPredefined(n: Network): boolean {
    return PREDEFINED_NAMES.includes(n.name);
  }

  create(req: NetworkCreate): Network {
    const name = req.Name ?? "";
    if (PREDEFINED_NAMES.includes(name)) throw new ForbiddenError(`operation is not permitted on predefined ${name} network `);
    // dockerd 28 refuses only a blank name (20.10 also refused names outside [a-zA-Z0-9][a-zA-Z0-9_.-]*).
    if (name.trim() === "") throw new InvalidParameterError("invalid name: name is empty");
    const driver = req.Driver || "bridge";
    if (driver === "host" || driver === "null") throw new ForbiddenError(`only one instance of "${driver === "null" ? "none" : driver}" network is allowed`);
    if (driver !== "bridge") throw new NotFoundError(`plugin "${driver}" not found`);
    if (req.Scope && req.Scope !== "local") throw new InvalidParameterError(`invalid scope "${req.Scope}": only local networks exist without swarm`);
    if (req.Ingress || req.ConfigOnly || req.ConfigFrom?.Network) throw new InvalidParameterError("ingress and config-only networks need swarm mode, which sockerless does not support");
    if (req.EnableIPv4 === false) throw new ForbiddenError("IPv4 can only be disabled if experimental features are enabled");
    const enableIPv6 = Boolean(req.EnableIPv6);
    validateIpam(req.IPAM ?? undefined, enableIPv6);
    const ipamDriver = req.IPAM?.Driver || "default";
    if (ipamDriver !== "default") throw new NotFoundError(`plugin "${ipamDriver}" not found`);
    const existing = this.byName(name);
    if (existing) throw new ConflictError(`network with name ${name} already exists`);
    const config = this.addressing(req.IPAM?.Config ?? []);
    const n: Network = {
      id: randomBytes(32).toString("hex"),
      name,
      driver,
      created: new Date().toISOString(),
      internal: Boolean(req.Internal),
      attachable: Boolean(req.Attachable),
      enableIPv6,
      ipam: { Driver: ipamDriver, Options: req.IPAM?.Options ?? null, Config: config },
      options: req.Options ?? {},
      labels: req.Labels ?? {},
    };
    this.insert(n);
    this.events.log("network", "create", { ID: n.id, Attributes: { name: n.name, type: n.driver } });
    return n;
  }

  /** The requested IPv4 blocks with their gateways filled in, or the next default pool no network uses. */
  private addressing(requested: IpamConfig[]): IpamConfig[] {
    const v4 = requested.filter((c) => parsePrefix4(c.Subnet ?? ""));
    const used = this.list().flatMap((n) => n.ipam.Config.map((c) => c.Subnet ?? ""));
    for (const c of v4) {
      const clash = used.find((u) => overlapping(u, c.Subnet!));
      if (clash) throw new ForbiddenError(`invalid pool request: Pool overlaps with other one on this address space`);
    }
    if (v4.length) return requested.map((c) => (parsePrefix4(c.Subnet ?? "") && !c.Gateway ? { ...c, Gateway: firstHost(parsePrefix4(c.Subnet!)!) } : c));
    const pool = defaultPools().find((p) => !used.some((u) => overlapping(u, p)));
    if (!pool) throw new ForbiddenError("all predefined address pools have been fully subnetted");
    return [{ Subnet: pool, Gateway: firstHost(parsePrefix4(pool)!) }, ...requested];
  }

  /** Containers with an endpoint on the network now (running ones). */
  activeEndpoints(id: string): { containerId: string; endpointId: string }[] {
    return this.db.select({ containerId: endpoints.containerId, endpointId: endpoints.endpointId }).from(endpoints).where(eq(endpoints.networkId, id)).all().filter((e) => e.endpointId !== "");
  }

  remove(idOrName: string, containerName: (id: string) => string): void {
    const n = this.get(idOrName);
    if (this.isPredefined(n)) throw new ForbiddenError(`${n.name} is a pre-defined network and cannot be removed`);
    const active = this.activeEndpoints(n.id);
    if (active.length) {
      const list = active.map((e) => `name:"${containerName(e.containerId)}" id:"${e.endpointId.slice(0, 12)}"`).join(", ");
      throw new ForbiddenError(`error while removing network: network ${n.name} has active endpoints (${list})`);
    }
    this.db.delete(networks).where(eq(networks.id, n.id)).run();
    this.events.log("network", "destroy", { ID: n.id, Attributes: { name: n.name, type: n.driver } });
  }
}
