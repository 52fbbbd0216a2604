import { existsSync, mkdirSync } from "node:fs";
import { asc, eq, sql } from "drizzle-orm";
import type { MountSpec } from "../../backends/backend.js";
import { InvalidParameterError } from "../errors.js";
import type { EventLog } from "../events/log.js";
import type { Db } from "../state/db.js";
import { containerMounts } from "../state/schema.js";
import { parseBind, parseMountSpec, parseTmpfs, type MountRequest, type ParsedMount } from "./mount-parse.js";
import { ANONYMOUS_LABEL, checkVolumeName, type VolumeStore } from "./store.js";

/** A container's mount point as kept with it. */
export interface MountRecord {
  Type: ParsedMount["type"];
  Name: string;
  Source: string;
  Destination: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  copyData: boolean;
  /** Named by the client (not an anonymous volume), so `rm -v` keeps it. */
  named: boolean;
}

interface MountSources {
  Binds?: string[] | null;
  Mounts?: MountRequest[] | null;
  Tmpfs?: Record<string, string> | null;
}

/** The mounts of containers: parsed and checked at create, turned into host directories at start. */
export class ContainerMounts {
  // Prepared once: `docker ps` reads every container's mounts.
  private readonly ofContainer;
  private readonly everyMount;
  /** Every container's mounts, while `preloaded` runs. */
  private preload?: Map<string, MountRecord[]>;

  constructor(
    private readonly db: Db,
    private readonly volumes: VolumeStore,
    private readonly events: EventLog,
  ) {
    this.ofContainer = db
      .select({ spec: containerMounts.spec })
      .from(containerMounts)
      .where(eq(containerMounts.containerId, sql.placeholder("id")))
      .orderBy(asc(containerMounts.position))
      .prepare();
    this.everyMount = db
      .select({ containerId: containerMounts.containerId, spec: containerMounts.spec })
      .from(containerMounts)
      .orderBy(asc(containerMounts.containerId), asc(containerMounts.position))
      .prepare();
  }

  /** Runs `fn` (synchronous) with every container's mounts read in one query, for views of many containers. */
  preloaded<T>(fn: () => T): T {
    const all = new Map<string, MountRecord[]>();
    for (const r of this.everyMount.all()) all.set(r.containerId, [...(all.get(r.containerId) ?? []), r.spec as MountRecord]);
    this.preload = all;
    try {
      return fn();
    } finally {
      this.preload = undefined;
    }
  }

  /** Validates every mount in moby's order (Binds, Mounts, Tmpfs, then anonymous volumes for Config.Volumes); nothing is created yet. */
  plan(host: MountSources, configVolumes: Record<string, unknown> | null | undefined): ParsedMount[] {
    const out = new Map<string, ParsedMount>();
    const add = (m: ParsedMount, shown: string, fromBinds = false) => {
      if (out.has(m.destination)) throw new InvalidParameterError(`Duplicate mount point: ${shown}`);
      if (m.type === "bind") this.checkBindSource(m, fromBinds);
      if (m.type === "volume" && m.name && !this.volumes.find(m.name)) checkVolumeName(m.name);
      out.set(m.destination, m);
    };
    for (const raw of host.Binds ?? []) {
      const m = parseBind(raw);
      add(m, m.destination, true);
    }
    for (const spec of host.Mounts ?? []) add(parseMountSpec(spec), spec.Target ?? "");
    for (const [dest, options] of Object.entries(host.Tmpfs ?? {})) {
      const m = parseTmpfs(dest, options);
      add(m, m.destination);
    }
    for (const dest of Object.keys(configVolumes ?? {})) {
      const m = parseMountSpec({ Type: "volume", Target: dest });
      if (!out.has(m.destination)) out.set(m.destination, { ...m, mode: "" });
    }
    return [...out.values()];
  }

  /** A bind's host path must lie under a permitted root; Mounts need it to exist, Binds create it as dockerd does. */
  private checkBindSource(m: ParsedMount, fromBinds: boolean): void {
    const real = this.volumes.bindRoots.check(m.source);
    if (!existsSync(real) && !fromBinds && !m.spec.BindOptions?.CreateMountpoint) {
      throw new InvalidParameterError(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
    }
  }

  /** Creates the volumes the plan names and records the container's mounts (after the container's own record exists). */
  attach(containerId: string, plan: ParsedMount[]): void {
    plan.forEach((m, position) => {
      let record: MountRecord = { Type: m.type, Name: "", Source: m.source, Destination: m.destination, Mode: m.mode, RW: m.rw, Propagation: m.propagation, copyData: m.copyData, named: m.type === "volume" && m.name !== "" };
      if (m.type === "volume") {
        const v = this.volumes.create({ Name: m.name, Labels: m.volumeOptions?.Labels, DriverOpts: m.volumeOptions?.DriverConfig?.Options, Driver: m.volumeOptions?.DriverConfig?.Name });
        record = { ...record, Name: v.name, Source: this.volumes.mountpoint(v.name) };
      } else if (m.type === "bind") {
        const real = this.volumes.bindRoots.check(m.source);
        if (!existsSync(real)) mkdirSync(real, { recursive: true });
      }
      this.db.insert(containerMounts).values({ containerId, destination: m.destination, position, volume: m.type === "volume" ? record.Name : null, spec: record }).run();
    });
  }

  list(containerId: string): MountRecord[] {
    if (this.preload) return this.preload.get(containerId) ?? [];
    return this.ofContainer.all({ id: containerId }).map((r) => r.spec as MountRecord);
  }

  /** Host directories for the backend; a bind source is checked against the roots again, since the link it resolves through may have changed. */
  backendMounts(containerId: string): MountSpec[] {
    return this.list(containerId).map((m) => {
      const readOnly = !m.RW;
      if (m.Type === "tmpfs") return { type: "tmpfs", destination: m.Destination, source: "", readOnly, copyImageContent: false };
      if (m.Type === "bind") return { type: "bind", destination: m.Destination, source: this.volumes.bindRoots.check(m.Source), readOnly, copyImageContent: false };
      const v = this.volumes.get(m.Name);
      return { type: "volume", destination: m.Destination, source: this.volumes.contentDir(v), readOnly, copyImageContent: m.copyData && Object.keys(v.options).length === 0 };
    });
  }

  /** The container starts: its volumes are mounted. */
  started(containerId: string): void {
    for (const m of this.list(containerId)) {
      if (m.Type !== "volume") continue;
      const v = this.volumes.get(m.Name);
      this.volumes.mount(v, containerId);
      this.events.log("volume", "mount", { ID: v.name, Attributes: { container: containerId, destination: m.Destination, driver: v.driver, propagation: m.Propagation, "read/write": String(m.RW) } });
    }
  }

  /** The container stopped: its volumes are unmounted (a tmpfs volume's content goes with its last user). */
  stopped(containerId: string): void {
    for (const m of this.list(containerId)) {
      if (m.Type !== "volume") continue;
      const v = this.volumes.find(m.Name);
      if (!v) continue;
      this.volumes.unmount(v, containerId);
      this.events.log("volume", "unmount", { ID: v.name, Attributes: { container: containerId, driver: v.driver } });
    }
  }

  /** The container goes: its mount records go, and with `removeVolumes` its anonymous volumes no other container uses. */
  detach(containerId: string, removeVolumes: boolean): void {
    const mounts = this.list(containerId);
    this.db.delete(containerMounts).where(eq(containerMounts.containerId, containerId)).run();
    if (!removeVolumes) return;
    for (const m of mounts) {
      if (m.Type !== "volume" || m.named) continue;
      const v = this.volumes.find(m.Name);
      if (v && Object.hasOwn(v.labels, ANONYMOUS_LABEL) && this.volumes.users(v.name).length === 0) this.volumes.remove(v.name);
    }
  }
}
