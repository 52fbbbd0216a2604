import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { asc, eq, sql } from "drizzle-orm";
import type { Backend, PortMap, ProcessExit, ProcessHandle, ProcessSpec } from "../../backends/backend.js";
import { ProcessStartError } from "../../backends/backend.js";
import { ConflictError, InvalidParameterError, NotFoundError, NotImplementedError, NotModifiedError, SystemError } from "../errors.js";
import type { ImageStore } from "../images/store.js";
import type { Db } from "../state/db.js";
import type { EventLog } from "../events/log.js";
import { dieAttributes, killAttributes } from "../events/attributes.js";
import { containers } from "../state/schema.js";
import { HealthMonitor, probeCommand, startingHealth } from "./health.js";
import { migrateContainerMac } from "../networks/mac-address.js";
import { logPolicy, withDefaultDriver, type LogConfig } from "./log-config.js";
import { LogStore } from "./logs.js";
import { commandLine, processEnv, providedFiles, withImageDefaults, type ContainerConfig, type HostConfig } from "./config.js";
import { validateCreate } from "./validate.js";
import { discardUnenforced } from "./resources.js";
import { updatedHostConfig } from "./update.js";
import { checkContainerName, generatedName } from "./names.js";
import { policyRestarts, RestartTracker } from "./restart-policy.js";
import { parseSignal } from "../signals.js";
import { nowIso as now } from "../clock.js";
import { createdState, ZERO_TIME, type ContainerState } from "./state.js";
import type { ContainerAttachments } from "./attachments.js";
import type { EndpointConfig } from "../networks/container-networks.js";
import { MAX_API_VERSION } from "../api-version.js";
import { checkSignalSupported, checkStartSupported } from "./capabilities.js";

export interface Container {
  id: string;
  name: string;
  imageId: string;
  image: string;
  created: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  state: ContainerState;
  path: string;
  args: string[];
  restartCount: number;
  /** Docker's HasBeenManuallyStopped. */
  manuallyStopped: boolean;
}

/** PID 1 of a container, as its config says. */
function mainProcess(c: Container): ProcessSpec {
  return {
    argv: [c.path, ...c.args],
    env: processEnv(c.config),
    cwd: c.config.WorkingDir || "/",
    user: c.config.User ?? "",
    groups: c.hostConfig.GroupAdd ?? [],
    hostname: c.config.Hostname ?? "",
    tty: Boolean(c.config.Tty),
    stdin: Boolean(c.config.OpenStdin),
  };
}

export type WaitCondition = "not-running" | "next-exit" | "removed";

/** An output chunk of a container's PID 1. */
export interface OutputChunk {
  stream: 1 | 2;
  data: Buffer;
}

interface Running {
  process: ProcessHandle;
  startedMs: number;
  /** False with the `none` log driver. */
  keepLogs: boolean;
}

/**
 * Containers: their records in SQLite, their running processes, their output
 * (stored for `logs`, broadcast to attached clients) and the waits on them.
 */
export class ContainerManager {
  private readonly running = new Map<string, Running>();
  /** Containers whose start is under way, so a second start is refused rather than run twice. */
  private readonly starting = new Set<string>();
  private readonly restarts = new Map<string, RestartTracker>();
  /** Restarts waiting out their back-off. */
  private readonly pendingRestarts = new Map<string, NodeJS.Timeout>();
  /** "output:<id>", "exit:<id>", "removed:<id>" and "stdin:<id>" events. */
  readonly bus = new EventEmitter().setMaxListeners(0);
  /** Every container's PID 1 output, line by line, for `logs` and attach's replay. */
  readonly logs: LogStore;
  private readonly queries;
  private readonly health: HealthMonitor;

  constructor(
    private readonly db: Db,
    private readonly images: ImageStore,
    private readonly backend: Backend,
    private readonly events: EventLog,
    /** Mounts and network memberships. */
    private readonly attachments: ContainerAttachments,
  ) {
    this.logs = new LogStore(db);
    // Prepared once: building and preparing the SQL again on each lookup dominates a busy `docker ps`.
    this.queries = {
      byId: db.select().from(containers).where(eq(containers.id, sql.placeholder("id"))).prepare(),
      byName: db.select().from(containers).where(eq(containers.name, sql.placeholder("name"))).prepare(),
      ids: db.select({ id: containers.id }).from(containers).prepare(),
      all: db.select().from(containers).orderBy(asc(containers.created)).prepare(),
    };
    this.health = new HealthMonitor({
      backend,
      lookup: (id) => this.tryGet(id),
      spec: (id) => this.backendSpec(this.get(id)),
      record: (id, health, changed) => {
        const c = this.tryGet(id);
        if (!c || !this.running.has(id)) return;
        c.state = { ...c.state, Health: health };
        this.save(c);
        if (changed) this.events.container(c, `health_status: ${health.Status}`);
      },
    });
  }

  private load(row: typeof containers.$inferSelect): Container {
    return {
      ...row,
      config: row.config as ContainerConfig,
      hostConfig: row.hostConfig as HostConfig,
      state: row.state as ContainerState,
      args: row.args as string[],
    };
  }

  private save(c: Container): void {
    const { name, state, restartCount, hostConfig, config, manuallyStopped } = c;
    this.db.update(containers).set({ name, state, restartCount, hostConfig, config, manuallyStopped }).where(eq(containers.id, c.id)).run();
  }

  /** Finds a container by full ID, name, or unique ID prefix, as Docker does. */
  get(idOrName: string): Container {
    if (idOrName === "") throw new NotFoundError(`No such container: ${idOrName}`);
    const byId = this.queries.byId.get({ id: idOrName });
    if (byId) return this.load(byId);
    const byName = this.queries.byName.get({ name: idOrName.startsWith("/") ? idOrName : `/${idOrName}` });
    if (byName) return this.load(byName);
    if (/^[0-9a-f]+$/.test(idOrName)) {
      const matches = this.queries.ids.all().filter((r) => r.id.startsWith(idOrName));
      if (matches.length > 1) throw new InvalidParameterError(`multiple IDs found with provided prefix: ${idOrName}`);
      if (matches.length === 1) return this.get(matches[0].id);
    }
    throw new NotFoundError(`No such container: ${idOrName}`);
  }

  list(): Container[] {
    return this.queries.all.all().map((r) => this.load(r));
  }

  /** Creates a container; the warnings name what the backend discarded. */
  async create(
    name: string | undefined,
    config: ContainerConfig,
    hostConfig: HostConfig,
    networking: { EndpointsConfig?: Record<string, EndpointConfig | null> } = {},
    apiVersion = MAX_API_VERSION,
  ): Promise<{ container: Container; warnings: string[] }> {
    const fullName = name ? checkContainerName(name) : this.unusedName();
    if (Object.keys(config).length === 0) throw new InvalidParameterError("Config cannot be empty in order to create a container");
    if (!config.Image) throw new InvalidParameterError("no image specified: Config.Image must be set");
    validateCreate(config, hostConfig);
    const macWarning = migrateContainerMac(config as { MacAddress?: string }, hostConfig, networking, apiVersion);
    logPolicy(hostConfig.LogConfig as LogConfig | undefined);
    hostConfig.LogConfig = withDefaultDriver(hostConfig.LogConfig as LogConfig | undefined);
    this.checkBackendSupports(hostConfig, config.Labels ?? {});
    const warnings = discardUnenforced(hostConfig, this.backend.describe(config.Labels ?? {}));
    if (macWarning) warnings.push(macWarning);
    const image = this.images.resolve(config.Image);
    const merged = withImageDefaults(config, image.config.config ?? {});
    const argv = commandLine(merged);
    const plan = this.attachments.plan(merged, hostConfig, networking, apiVersion);
    const existing = this.db.select({ id: containers.id }).from(containers).where(eq(containers.name, fullName)).get();
    if (existing) {
      throw new ConflictError(`Conflict. The container name "${fullName}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    const id = randomBytes(32).toString("hex");
    merged.Hostname = config.Hostname || id.slice(0, 12);
    const c: Container = {
      id,
      name: fullName,
      imageId: image.id,
      image: config.Image,
      created: now(),
      config: merged,
      hostConfig,
      state: createdState(),
      path: argv[0],
      args: argv.slice(1),
      restartCount: 0,
      manuallyStopped: false,
    };
    await this.backend.createContainer(this.backendSpec(c));
    this.db.insert(containers).values(c).run();
    try {
      this.attachments.attach(c, plan);
    } catch (err) {
      this.db.delete(containers).where(eq(containers.id, c.id)).run();
      await this.backend.removeContainer(c.id);
      throw err;
    }
    this.events.container(c, "create");
    return { container: c, warnings };
  }

  backendSpec(c: Container) {
    const image = this.images.get(c.imageId);
    if (!image) throw new ConflictError(`the image of container ${c.id} (${c.imageId}) is gone`);
    return {
      id: c.id,
      image: c.imageId,
      repoDigests: image.digests,
      labels: c.config.Labels ?? {},
      layers: image.config.rootfs.diff_ids,
      memory: c.hostConfig.Memory ?? 0,
      init: Boolean(c.hostConfig.Init),
      files: providedFiles(c.config),
      mounts: this.attachments.backendMounts(c.id),
      main: mainProcess(c),
      network: this.attachments.backendNetwork(c),
    };
  }

  /** Refuses what the backend cannot honour, rather than accepting it silently. */
  private checkBackendSupports(host: HostConfig, labels: Record<string, string>): void {
    const backend = this.backend.describe(labels);
    const bindings = host.PortBindings as Record<string, unknown[] | null> | undefined;
    const publishes = host.PublishAllPorts === true || Object.values(bindings ?? {}).some((b) => (b ?? []).length > 0);
    if (publishes && !backend.capabilities.publishPorts) {
      throw new NotImplementedError(`publishing ports is not supported by the ${backend.name} backend: its containers have no network`);
    }
  }

  /** A generated name nobody holds; like Docker, a number is appended when the plain names keep colliding. */
  private unusedName(): string {
    for (let attempt = 0; ; attempt++) {
      const name = attempt < 6 ? generatedName() : `${generatedName()}${attempt}`;
      if (!this.db.select({ id: containers.id }).from(containers).where(eq(containers.name, name)).get()) return name;
    }
  }

  /** Where a running container's ports are published, as the backend set them up. */
  publishedPorts(id: string): PortMap {
    return (this.running.has(id) && this.backend.publishedPorts?.(id)) || {};
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Starts PID 1. A client's start (`manual`) also resets the restart policy's back-off and the manual-stop mark. */
  async start(idOrName: string, manual = true): Promise<void> {
    const c = this.get(idOrName);
    if (this.running.has(c.id) || this.starting.has(c.id)) throw new NotModifiedError();
    if (c.state.Status === "restarting") {
      if (manual) throw new NotModifiedError();
    } else if (c.state.Status === "removing" || c.state.Status === "dead") {
      throw new ConflictError(`cannot start a container in state ${c.state.Status}`);
    }
    if (manual) {
      this.cancelPendingRestart(c.id);
      this.restarts.set(c.id, new RestartTracker());
      c.manuallyStopped = false;
    }
    this.starting.add(c.id);
    let process: ProcessHandle;
    try {
      this.attachments.started(c);
      const spec = this.backendSpec(c);
      const main = mainProcess(c);
      checkStartSupported(this.backend.describe(c.config.Labels ?? {}), spec, main, probeCommand(c.config) !== undefined, c.id);
      process = await this.backend.startProcess(spec, main, false);
    } catch (err) {
      this.starting.delete(c.id);
      this.attachments.stopped(c);
      // A container that cannot start is not kept when it asked to be removed (docker run --rm).
      if (c.hostConfig.AutoRemove) await this.remove(c.id, { force: true });
      if (err instanceof ProcessStartError) {
        if (!c.hostConfig.AutoRemove) {
          c.state = { ...c.state, Status: c.state.Status === "restarting" ? "exited" : c.state.Status, Running: false, Restarting: false, ExitCode: err.exitCode, Error: err.message };
          this.save(c);
        }
        // A process that could not be set up fails before any task exists; one that could not run is the runtime's (400).
        if (err.exitCode === 128) throw new SystemError(err.message);
        throw new InvalidParameterError(`failed to create task for container: ${err.message}`);
      }
      throw err;
    }
    this.starting.delete(c.id);
    const health = startingHealth(c.config, c.state.Health);
    c.state = { ...createdState(), Status: "running", Running: true, StartedAt: now(), ...(health ? { Health: health } : {}) };
    this.save(c);
    this.track(c, process, Date.now());
    this.bus.emit(`started:${c.id}`);
    this.events.container(c, "start");
  }

  /** Keeps a running PID 1's output, stdin and exit tied to its container. */
  private track(c: Container, process: ProcessHandle, startedMs: number): void {
    const logging = logPolicy(c.hostConfig.LogConfig as LogConfig | undefined);
    if (logging.keep) this.logs.setLimit(c.id, logging.maxBytes);
    this.running.set(c.id, { process, startedMs, keepLogs: logging.keep });
    this.health.watch(c.id);
    process.onOutput((stream, data) => this.record(c.id, stream, data));
    const onStdin = (data: Buffer | null) => process.writeStdin(data);
    this.bus.on(`stdin:${c.id}`, onStdin);
    void process.exited.then((exit) => {
      this.bus.off(`stdin:${c.id}`, onStdin);
      this.onExit(c.id, exit);
    });
  }

  /** PID 1 ended: record it, then restart, remove or leave the container as its policy says. */
  private onExit(id: string, { exitCode, error = "", oomKilled = false }: ProcessExit): void {
    const ranMs = Date.now() - (this.running.get(id)?.startedMs ?? Date.now());
    this.running.delete(id);
    this.health.unwatch(id);
    this.logs.end(id);
    const c = this.get(id);
    const tracker = this.restarts.get(id) ?? new RestartTracker();
    this.restarts.set(id, tracker);
    const decision = tracker.decide(c.hostConfig.RestartPolicy, exitCode, c.manuallyStopped, ranMs);
    const stopped = { Running: false, Paused: false, Pid: 0, ExitCode: exitCode, Error: error, OOMKilled: oomKilled, FinishedAt: now() };
    c.state = decision.restart ? { ...c.state, ...stopped, Status: "restarting", Running: true, Restarting: true } : { ...c.state, ...stopped, Status: "exited", Restarting: false };
    this.save(c);
    if (oomKilled) this.events.container(c, "oom");
    this.events.container(c, "die", dieAttributes(exitCode, ranMs));
    this.attachments.stopped(c);
    this.bus.emit(`exit:${id}`, exitCode);
    if (decision.restart) {
      const timer = setTimeout(() => {
        this.pendingRestarts.delete(id);
        const latest = this.tryGet(id);
        if (!latest || latest.state.Status !== "restarting") return;
        latest.restartCount++;
        this.save(latest);
        this.start(id, false).catch(() => {});
      }, decision.delayMs);
      this.pendingRestarts.set(id, timer);
    } else if (c.hostConfig.AutoRemove) {
      void this.remove(id, { force: true }).catch(() => {});
    }
  }

  private cancelPendingRestart(id: string): boolean {
    const timer = this.pendingRestarts.get(id);
    if (!timer) return false;
    clearTimeout(timer);
    this.pendingRestarts.delete(id);
    return true;
  }

  /** A restarting container told to stay down: it is exited, as its last run left it. */
  private settleRestarting(c: Container): void {
    this.cancelPendingRestart(c.id);
    c.state = { ...c.state, Status: "exited", Running: false, Restarting: false };
    this.save(c);
  }

  /** A stop or kill by a client: remembered for restart policies; the coming exit restarts nothing. */
  private markManualStop(c: Container, cancelRestart: boolean): void {
    c.manuallyStopped = true;
    this.save(c);
    if (cancelRestart) (this.restarts.get(c.id) ?? this.restarts.set(c.id, new RestartTracker()).get(c.id)!).cancel();
  }

  private record(id: string, stream: 1 | 2, data: Buffer): void {
    if (this.running.get(id)?.keepLogs !== false) this.logs.write(id, stream, data);
    this.bus.emit(`output:${id}`, { stream, data } satisfies OutputChunk);
  }

  /** Brings a running container's backend up to date after `network connect` or `disconnect`. */
  async networksChanged(id: string): Promise<void> {
    if (this.running.has(id)) await this.backend.updateNetworks?.(this.backendSpec(this.get(id)));
  }

  /** Freezes a running container, as `docker pause` does. */
  async pause(idOrName: string): Promise<void> {
    const c = this.get(idOrName);
    if (c.state.Status === "restarting") throw new ConflictError(`Container ${c.id} is restarting, wait until the container is running`);
    if (!this.running.has(c.id)) throw new ConflictError(`Container ${c.id} is not running`);
    if (c.state.Paused) throw new ConflictError(`Container ${c.id} is already paused`);
    const backend = this.backend.describe(c.config.Labels ?? {});
    if (!backend.capabilities.pause || !this.backend.pause) throw new NotImplementedError(`pause is not supported by the ${backend.name} backend`);
    await this.backend.pause(c.id);
    this.setPaused(c, true);
    this.events.container(c, "pause");
  }

  async unpause(idOrName: string): Promise<void> {
    const c = this.get(idOrName);
    if (!c.state.Paused) throw new ConflictError(`Container ${c.id} is not paused`);
    const backend = this.backend.describe(c.config.Labels ?? {});
    if (!this.backend.unpause) throw new NotImplementedError(`unpause is not supported by the ${backend.name} backend`);
    await this.backend.unpause(c.id);
    this.setPaused(c, false);
    this.events.container(c, "unpause");
  }

  private setPaused(c: Container, paused: boolean): void {
    c.state = { ...c.state, Paused: paused, Status: paused ? "paused" : "running" };
    this.save(c);
  }

  /** Sends a signal to PID 1. */
  kill(idOrName: string, rawSignal = "SIGKILL"): void {
    const c = this.get(idOrName);
    const signal = parseSignal(rawSignal);
    const r = this.running.get(c.id);
    if (!r && c.state.Status !== "restarting") throw new ConflictError(`Cannot kill container: ${idOrName}: Container ${c.id} is not running`);
    checkSignalSupported(this.backend.describe(c.config.Labels ?? {}), signal);
    // As moby: only SIGKILL or the container's stop signal keep a restart policy from restarting it.
    const stopSignal = c.config.StopSignal ? parseSignal(c.config.StopSignal) : undefined;
    this.markManualStop(c, !stopSignal || signal === "SIGKILL" || signal === stopSignal);
    if (!r) return this.settleRestarting(c);
    r.process.signal(signal);
    this.events.container(c, "kill", killAttributes(signal));
    // As dockerd: the signal is delivered once a paused container is thawed, which the engine does after sending it.
    if (c.state.Paused) this.setPaused(c, false);
  }

  /** Stop signal, then SIGKILL after the timeout; 304 when it is not running. */
  async stop(idOrName: string, timeoutSeconds?: number, rawSignal?: string): Promise<void> {
    const c = this.get(idOrName);
    const signal = parseSignal(rawSignal || c.config.StopSignal || "SIGTERM");
    const r = this.running.get(c.id);
    if (r) checkSignalSupported(this.backend.describe(c.config.Labels ?? {}), signal);
    if (!r) {
      if (c.state.Status !== "restarting") throw new NotModifiedError();
      this.markManualStop(c, true);
      return this.settleRestarting(c);
    }
    this.markManualStop(c, true);
    const timeout = timeoutSeconds ?? (c.config.StopTimeout ?? 10);
    const exited = this.waitExit(c.id);
    r.process.signal(signal);
    this.events.container(c, "kill", killAttributes(signal));
    if (c.state.Paused) this.setPaused(c, false);
    // A negative timeout waits as long as it takes.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((res) => {
      if (timeout >= 0) timer = setTimeout(() => res("timeout"), timeout * 1000);
    });
    if ((await Promise.race([exited, timedOut])) === "timeout") {
      r.process.signal("SIGKILL");
      this.events.container(c, "kill", killAttributes("SIGKILL"));
      await exited;
    }
    clearTimeout(timer);
    this.events.container(c, "stop");
  }

  /** Stops the container if it runs, then starts it. */
  async restart(idOrName: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    const c = this.get(idOrName);
    try {
      await this.stop(c.id, timeoutSeconds, signal);
    } catch (err) {
      if (!(err instanceof NotModifiedError)) throw err;
    }
    await this.start(c.id);
    this.events.container(c, "restart");
  }

  /** Gives the container a new name; the old one is free at once. */
  rename(idOrName: string, newName: string): Container {
    if (!idOrName || !newName) throw new InvalidParameterError("Neither old nor new names may be empty");
    const c = this.get(idOrName);
    const full = `/${newName.replace(/^\//, "")}`;
    if (full === c.name) throw new InvalidParameterError("Renaming a container with the same name as its current name");
    try {
      checkContainerName(full);
    } catch (err) {
      throw new InvalidParameterError(`Error when allocating new name: ${(err as Error).message}`);
    }
    const holder = this.db.select({ id: containers.id }).from(containers).where(eq(containers.name, full)).get();
    if (holder) {
      throw new ConflictError(`Error when allocating new name: Conflict. The container name "${full}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    const oldName = c.name;
    c.name = full;
    this.save(c);
    this.events.container(c, "rename", { oldName });
    return { ...c, name: oldName };
  }

  /** POST /containers/{id}/update: resource limits and the restart policy. Returns Docker's warnings. */
  update(idOrName: string, body: HostConfig): string[] {
    const c = this.get(idOrName);
    const { hostConfig, warnings } = updatedHostConfig(c.id, c.hostConfig, body, this.running.has(c.id), this.backend.describe(c.config.Labels ?? {}));
    c.hostConfig = hostConfig;
    this.save(c);
    return warnings;
  }

  private waitExit(id: string): Promise<number> {
    return new Promise((resolve) => this.bus.once(`exit:${id}`, resolve));
  }

  /** Resolves with the exit code when the condition is met. */
  /** Registers the wait at once (the container is looked up synchronously) and resolves when the condition is met. */
  wait(idOrName: string, condition: WaitCondition): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    const c = this.get(idOrName);
    const result = (code: number) => {
      const latest = this.tryGet(c.id);
      const message = latest?.state.Error ?? "";
      return { StatusCode: code, Error: message ? { Message: message } : null };
    };
    if (condition === "removed") return new Promise<number>((resolve) => this.bus.once(`removed:${c.id}`, resolve)).then(result);
    if (condition === "not-running" && !this.running.has(c.id)) return Promise.resolve(result(c.state.ExitCode));
    return this.waitExit(c.id).then(result);
  }

  private tryGet(id: string): Container | undefined {
    const row = this.queries.byId.get({ id });
    return row ? this.load(row) : undefined;
  }

  /** `removeVolumes` (rm -v) also removes its anonymous volumes no other container uses. */
  async remove(idOrName: string, opts: { force?: boolean; removeVolumes?: boolean }): Promise<void> {
    const c = this.get(idOrName);
    if (c.state.Status === "restarting" && !this.running.has(c.id)) {
      if (!opts.force) throw new ConflictError(`cannot remove container "${c.name}": container is restarting: stop the container before removing or force remove`);
      this.settleRestarting(c);
    }
    if (this.running.has(c.id)) {
      if (!opts.force) {
        throw new ConflictError(`cannot remove container "${c.name}": container is running: stop the container before removing or force remove`);
      }
      const exited = this.waitExit(c.id);
      this.running.get(c.id)!.process.signal("SIGKILL");
      this.events.container(c, "kill", killAttributes("SIGKILL"));
      await exited;
    }
    await this.backend.removeContainer(c.id);
    this.attachments.removing(c, Boolean(opts.removeVolumes));
    this.db.delete(containers).where(eq(containers.id, c.id)).run();
    this.events.container(c, "destroy");
    this.logs.forget(c.id);
    this.restarts.delete(c.id);
    this.bus.emit(`removed:${c.id}`, c.state.ExitCode);
  }

  /** Running, starting or waiting to restart: not to be pruned. */
  isActive(id: string): boolean {
    if (this.running.has(id) || this.starting.has(id)) return true;
    return this.tryGet(id)?.state.Status === "restarting";
  }

  count() {
    const all = this.list();
    const running = all.filter((c) => c.state.Status === "running").length;
    const paused = all.filter((c) => c.state.Status === "paused").length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  /**
   * After a restart no process of a previous daemon is alive in this
   * backend: containers recorded as running are marked exited, as Docker
   * does for containers whose task is gone. Those their restart policy
   * brings back (`always`, `unless-stopped` unless stopped by a client,
   * `on-failure` after a failure) are started again, as dockerd does at boot.
   */
  recover(): void {
    this.backend.forgetUnknown?.(new Set(this.list().map((c) => c.id)));
    for (const c of this.list()) {
      if ((c.state.Status === "running" || c.state.Status === "paused") && this.backend.adopt) void this.readopt(c);
      else this.recoverStopped(c);
    }
  }

  /** A container the backend may still run after a daemon restart: tracked again if it does. */
  private async readopt(c: Container): Promise<void> {
    let process: ProcessHandle | undefined;
    try {
      process = await this.backend.adopt!(this.backendSpec(c));
    } catch {
      process = undefined;
    }
    const latest = this.tryGet(c.id);
    if (!latest) return;
    if (process) this.track(latest, process, Date.parse(latest.state.StartedAt));
    else this.recoverStopped(latest);
  }

  /** What ran when the daemon stopped ended with it (exit 255); the restart policy says whether it runs again. */
  private recoverStopped(c: Container): void {
    if (c.state.Status === "running" || c.state.Status === "paused" || c.state.Status === "restarting") {
      c.state = { ...c.state, Status: "exited", Running: false, Paused: false, Restarting: false, Pid: 0, ExitCode: 255, FinishedAt: now() };
      this.save(c);
      this.attachments.recovered(c);
    }
    const startedBefore = c.state.StartedAt !== ZERO_TIME;
    if (startedBefore && policyRestarts(c.hostConfig.RestartPolicy, c.state.ExitCode, c.manuallyStopped, 0)) {
      this.start(c.id, false).catch(() => {});
    }
  }
}
