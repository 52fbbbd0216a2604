import { join } from "node:path";
import { ConflictError, InvalidParameterError, NotFoundError, NotImplementedError, TooManyRequestsError, UnavailableError } from "../../engine/errors.js";
import { SOCKERLESS_VERSION } from "../../engine/package-info.js";
import type { Backend, BackendDescription, ContainerFiles, ContainerProcess, ContainerSpec, ContainerUsage, ImageSource, PortMap, ProcessHandle, ProcessSpec } from "../backend.js";
import { createBackend } from "../registry.js";
import type { PoolConfig, PoolLimits, PoolsConfig } from "./config.js";
import { Placements } from "./placements.js";
import { Pool } from "./pool.js";

/** The label that puts a container in a pool; without it, the default pool. */
export const POOL_LABEL = "com.sockerless.pool";

/** A pool as the management API and the metrics show it. */
export interface PoolStatus extends PoolConfig {
  default: boolean;
  /** Containers the pool holds (created, running or stopped). */
  containers: number;
  /** Containers whose PID 1 runs. */
  running: number;
  /** Starts waiting for a slot. */
  queued: number;
  /** The total HostConfig.Memory of the running containers, in bytes. */
  runningMemory: number;
  rejections: { queueFull: number; maxContainers: number };
}

interface Routed {
  pool: Pool;
  backend: Backend;
}

/**
 * Routes each container to a named pool of backends by its label, and holds
 * each pool to its limits: creates beyond maxContainers and starts beyond
 * maxRunning plus queueSize are refused with 429, starts within the queue
 * wait their turn. Every call about a container reaches the instance that
 * created it.
 */
export class PoolsBackend implements Backend {
  private readonly pools = new Map<string, Pool>();
  private readonly placements: Placements;
  private readonly defaultPool: string;
  private images: ImageSource | undefined;

  constructor(
    config: PoolsConfig,
    private readonly dataDir: string,
  ) {
    this.defaultPool = config.default;
    this.placements = new Placements(join(dataDir, "pools", "containers.json"));
    try {
      for (const p of config.pools) this.pools.set(p.name, this.build(p));
    } catch (err) {
      void this.close();
      throw err;
    }
  }

  // ---- routing ----

  private build(config: PoolConfig): Pool {
    const instances: Backend[] = [];
    try {
      for (let i = 0; i < config.instances; i++) instances.push(createBackend(config.backend, config.options, this.dataDir));
    } catch (err) {
      void Promise.all(instances.map((b) => b.close()));
      throw err;
    }
    if (this.images) for (const b of instances) b.useImages?.(this.images);
    return new Pool(config, instances);
  }

  /** The pool a new container's labels select. */
  private selected(labels: Record<string, string> = {}): Pool {
    const name = labels[POOL_LABEL] ?? this.defaultPool;
    const pool = this.pools.get(name);
    if (!pool) throw new InvalidParameterError(`no pool named "${name}" (label ${POOL_LABEL}); pools: ${[...this.pools.keys()].join(", ")}`);
    return pool;
  }

  private placedPool(name: string, id: string): Pool {
    const pool = this.pools.get(name);
    if (pool) return pool;
    throw new ConflictError(`container ${id} belongs to pool "${name}", which this daemon does not have now (pools added through the API last until it stops); add pool "${name}" again to reach the container`);
  }

  /** Where a container is; one this daemon has not seen yet (created before pools were configured, or before a restart) is placed now. */
  private route(id: string, labels?: Record<string, string>): Routed {
    const placed = this.placements.pool(id);
    const pool = placed === undefined ? this.selected(labels) : this.placedPool(placed, id);
    let instance = this.placements.instance(id);
    if (instance === undefined) {
      instance = pool.pickInstance();
      this.placements.place(id, pool.name, instance);
    }
    return { pool, backend: pool.instances[instance] };
  }

  private notSupported(what: string, pool: Pool): never {
    throw new NotImplementedError(`${what} is not supported by the ${pool.describe().name} backend`);
  }

  // ---- Backend ----

  describe(labels?: Record<string, string>): BackendDescription {
    if (labels !== undefined) return this.selected(labels).describe();
    const def = this.pools.get(this.defaultPool)!.describe();
    const names = [...this.pools.values()].map((p) => `${p.name} (${p.config.backend})`).join(", ");
    return { name: "pools", summary: `pools ${names}; default ${this.defaultPool}`, version: SOCKERLESS_VERSION, capabilities: def.capabilities };
  }

  async createContainer(spec: ContainerSpec): Promise<void> {
    const pool = this.selected(spec.labels);
    const { maxContainers } = pool.config;
    if (maxContainers > 0 && this.placements.count(pool.name) >= maxContainers) {
      pool.createsRejected++;
      throw new TooManyRequestsError(`pool "${pool.name}" is full: it holds ${maxContainers} containers (maxContainers ${maxContainers}); remove some before creating more`);
    }
    // Placed before the backend is done, so concurrent creates count against the limit.
    const { backend } = this.route(spec.id, spec.labels);
    try {
      await backend.createContainer(spec);
    } catch (err) {
      this.placements.forget(spec.id);
      throw err;
    }
  }

  async startProcess(container: ContainerSpec, process: ProcessSpec, exec: boolean): Promise<ProcessHandle> {
    const { pool, backend } = this.route(container.id, container.labels);
    if (exec) return backend.startProcess(container, process, true);
    const slot = await pool.admission.acquire(container.id, container.memory);
    let handle: ProcessHandle;
    try {
      handle = await backend.startProcess(container, process, false);
    } catch (err) {
      slot.release();
      throw err;
    }
    void handle.exited.then(slot.release, slot.release);
    return handle;
  }

  withFiles<T>(container: ContainerSpec, use: (files: ContainerFiles) => Promise<T>): Promise<T> {
    return this.route(container.id, container.labels).backend.withFiles(container, use);
  }

  async removeContainer(containerId: string): Promise<void> {
    const { pool, backend } = this.route(containerId);
    pool.admission.cancel(containerId, new ConflictError(`container ${containerId} was removed while its start waited for a slot in pool "${pool.name}"`));
    await backend.removeContainer(containerId);
    this.placements.forget(containerId);
  }

  forgetUnknown(knownIds: Set<string>): void {
    this.placements.keepOnly(knownIds);
    for (const pool of this.pools.values()) for (const b of pool.instances) b.forgetUnknown?.(knownIds);
  }

  processes(containerId: string): ContainerProcess[] {
    const { pool, backend } = this.route(containerId);
    if (!backend.processes) this.notSupported("listing a container's processes (top)", pool);
    return backend.processes(containerId);
  }

  async listProcesses(containerId: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] } | undefined> {
    return this.route(containerId).backend.listProcesses?.(containerId, psArgs);
  }

  async usage(containerId: string): Promise<ContainerUsage | undefined> {
    const { pool, backend } = this.route(containerId);
    if (!backend.usage) this.notSupported("container stats", pool);
    return backend.usage(containerId);
  }

  async writableLayerSize(containerId: string): Promise<number> {
    const { pool, backend } = this.route(containerId);
    if (!backend.writableLayerSize) this.notSupported("container sizes", pool);
    return backend.writableLayerSize(containerId);
  }

  async updateNetworks(container: ContainerSpec): Promise<void> {
    await this.route(container.id, container.labels).backend.updateNetworks?.(container);
  }

  async pause(containerId: string): Promise<void> {
    const { pool, backend } = this.route(containerId);
    if (!backend.pause) this.notSupported("pause", pool);
    await backend.pause(containerId);
  }

  async unpause(containerId: string): Promise<void> {
    const { pool, backend } = this.route(containerId);
    if (!backend.unpause) this.notSupported("unpause", pool);
    await backend.unpause(containerId);
  }

  grantUrls(containerId: string, urls: string[]): void {
    this.route(containerId).backend.grantUrls?.(containerId, urls);
  }

  publishedPorts(containerId: string): PortMap | undefined {
    return this.route(containerId).backend.publishedPorts?.(containerId);
  }

  /** A process still running after a daemon restart counts against its pool, even beyond its limits. */
  async adopt(container: ContainerSpec): Promise<ProcessHandle | undefined> {
    const { pool, backend } = this.route(container.id, container.labels);
    const handle = await backend.adopt?.(container);
    if (!handle) return undefined;
    const slot = pool.admission.adopt(container.memory);
    void handle.exited.then(slot.release, slot.release);
    return handle;
  }

  useImages(images: ImageSource): void {
    this.images = images;
    for (const pool of this.pools.values()) for (const b of pool.instances) b.useImages?.(images);
  }

  async close(): Promise<void> {
    const closing = new UnavailableError("the daemon is shutting down");
    await Promise.all([...this.pools.values()].map((p) => (p.admission.cancel(undefined, closing), p.close())));
  }

  // ---- management ----

  list(): PoolStatus[] {
    return [...this.pools.values()].map((p) => this.statusOf(p));
  }

  status(name: string): PoolStatus {
    return this.statusOf(this.named(name));
  }

  /** Adds a pool that takes containers at once. */
  add(config: PoolConfig): PoolStatus {
    if (this.pools.has(config.name)) throw new ConflictError(`pool "${config.name}" already exists`);
    let pool: Pool;
    try {
      pool = this.build(config);
    } catch (err) {
      throw new InvalidParameterError(`pool "${config.name}": ${(err as Error).message}`);
    }
    this.pools.set(config.name, pool);
    return this.statusOf(pool);
  }

  /** New limits apply at once: a raised limit admits waiting starts; a lowered one stops nothing that runs. */
  setLimits(name: string, limits: PoolLimits): PoolStatus {
    const pool = this.named(name);
    pool.setLimits(limits);
    return this.statusOf(pool);
  }

  async remove(name: string): Promise<void> {
    const pool = this.named(name);
    if (name === this.defaultPool) throw new ConflictError(`pool "${name}" is the default pool and cannot be removed`);
    const held = this.placements.count(name);
    if (held > 0) throw new ConflictError(`pool "${name}" holds ${held} containers; remove them before removing the pool`);
    this.pools.delete(name);
    await pool.close();
  }

  private named(name: string): Pool {
    const pool = this.pools.get(name);
    if (!pool) throw new NotFoundError(`no such pool: ${name}`);
    return pool;
  }

  private statusOf(pool: Pool): PoolStatus {
    const { admission } = pool;
    return {
      ...pool.config,
      default: pool.name === this.defaultPool,
      containers: this.placements.count(pool.name),
      running: admission.running,
      queued: admission.queued,
      runningMemory: admission.memory,
      rejections: { queueFull: admission.rejected, maxContainers: pool.createsRejected },
    };
  }
}
