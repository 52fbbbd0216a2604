import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { ConflictError, InvalidParameterError, NotFoundError } from "../errors.js";
import type { EventLog } from "../events/log.js";
import type { Db } from "../state/db.js";
import { containerMounts, volumes } from "../state/schema.js";
import type { BindRoots } from "./bind-roots.js";
import { checkLocalOptions, isBindVolume, isTmpfsVolume } from "./options.js";

export interface Volume {
  name: string;
  driver: string;
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

export interface VolumeCreate {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** Set on volumes created without a name, as moby (API 1.42+) marks them for prune. */
export const ANONYMOUS_LABEL = "com.docker.volume.anonymous";
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** moby's local driver name check; the name becomes a directory, so nothing may escape the volumes root. */
export function checkVolumeName(name: string): void {
  if (name.length === 1) throw new InvalidParameterError(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  if (!NAME.test(name)) {
    throw new InvalidParameterError(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** Bytes of the regular files under a directory, symlinks not followed. */
async function directorySize(dir: string): Promise<number> {
  let total = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const path = join(dir, name);
    const s = await lstat(path).catch(() => undefined);
    if (!s) continue;
    if (s.isDirectory()) total += await directorySize(path);
    else if (s.isFile()) total += s.size;
  }
  return total;
}

/** Volumes of the `local` driver: records in SQLite, data under <data>/volumes/<name>/_data. */
export class VolumeStore {
  private readonly root: string;
  /** Who holds each tmpfs volume mounted now (container IDs). */
  private readonly mounted = new Map<string, Set<string>>();

  constructor(
    private readonly db: Db,
    dataDir: string,
    private readonly events: EventLog,
    readonly bindRoots: BindRoots,
  ) {
    this.root = join(dataDir, "volumes");
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    // Nothing is mounted after a restart: tmpfs volumes start empty, as after a reboot.
    for (const v of this.list()) if (isTmpfsVolume(v.options)) this.empty(v);
  }

  private load(row: typeof volumes.$inferSelect): Volume {
    return { ...row, labels: row.labels as Record<string, string>, options: row.options as Record<string, string> };
  }

  /** Creates a volume, or returns the existing one of that name, as dockerd does. */
  create(req: VolumeCreate): Volume {
    const anonymous = !req.Name;
    const name = req.Name || randomBytes(32).toString("hex");
    checkVolumeName(name);
    const driver = req.Driver || "local";
    if (driver !== "local") throw new NotFoundError(`create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const existing = this.find(name);
    if (existing) return existing;
    const options = req.DriverOpts ?? {};
    try {
      checkLocalOptions(options, this.bindRoots);
    } catch (err) {
      (err as Error).message = `create ${name}: ${(err as Error).message}`;
      throw err;
    }
    const labels = { ...(req.Labels ?? {}), ...(anonymous ? { [ANONYMOUS_LABEL]: "" } : {}) };
    const v: Volume = { name, driver, createdAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"), labels, options };
    mkdirSync(this.mountpoint(name), { recursive: true, mode: 0o755 });
    this.db.insert(volumes).values(v).run();
    this.events.log("volume", "create", { ID: name, Attributes: { driver } });
    return v;
  }

  find(name: string): Volume | undefined {
    const row = this.db.select().from(volumes).where(eq(volumes.name, name)).get();
    return row ? this.load(row) : undefined;
  }

  get(name: string): Volume {
    const v = this.find(name);
    if (!v) throw new NotFoundError(`get ${name}: no such volume`);
    return v;
  }

  list(): Volume[] {
    return this.db.select().from(volumes).all().map((r) => this.load(r));
  }

  /** Where Docker reports the volume's data (Mountpoint). */
  mountpoint(name: string): string {
    return join(this.root, name, "_data");
  }

  /** The host directory holding the volume's content: a permitted bind source, or its own directory. */
  contentDir(v: Volume): string {
    return isBindVolume(v.options) ? this.bindRoots.check(v.options.device, "volume device") : this.mountpoint(v.name);
  }

  /** Containers whose mounts name the volume. */
  users(name: string): string[] {
    return this.db.select({ id: containerMounts.containerId }).from(containerMounts).where(eq(containerMounts.volume, name)).all().map((r) => r.id);
  }

  /** `force` ignores a missing volume, as dockerd's purge-on-error does; a volume in use is never removed. */
  remove(name: string, force = false): void {
    const v = this.find(name);
    if (!v) {
      if (force) return;
      throw new NotFoundError(`get ${name}: no such volume`);
    }
    const users = this.users(name);
    if (users.length) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(" ")}]`);
    rmSync(join(this.root, name), { recursive: true, force: true });
    this.db.delete(volumes).where(eq(volumes.name, name)).run();
    this.mounted.delete(name);
    this.events.log("volume", "destroy", { ID: name, Attributes: { driver: v.driver } });
  }

  /** A running container now uses the volume. */
  mount(v: Volume, containerId: string): void {
    let holders = this.mounted.get(v.name);
    if (!holders) this.mounted.set(v.name, (holders = new Set()));
    holders.add(containerId);
  }

  /** A container using the volume stopped; a tmpfs volume's content goes with its last user. */
  unmount(v: Volume, containerId: string): void {
    const holders = this.mounted.get(v.name);
    holders?.delete(containerId);
    if (holders?.size) return;
    this.mounted.delete(v.name);
    if (isTmpfsVolume(v.options)) this.empty(v);
  }

  private empty(v: Volume): void {
    const dir = this.mountpoint(v.name);
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
  }

  /** Bytes of its content; -1 where it is not this daemon's to measure (a bind of a host directory), as dockerd skips volumes with options. */
  async size(v: Volume): Promise<number> {
    if (Object.keys(v.options).length) return -1;
    return directorySize(this.mountpoint(v.name));
  }
}
