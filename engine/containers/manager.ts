import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { asc, eq } from "drizzle-orm";
import type { Backend, ProcessHandle } from "../../backends/backend.js";
import { ProcessStartError } from "../../backends/backend.js";
import { ConflictError, InvalidParameterError, NotFoundError, NotImplementedError, NotModifiedError } from "../errors.js";
import type { ImageStore } from "../images/store.js";
import type { Db } from "../state/db.js";
import { containers } from "../state/schema.js";
import { LogStore } from "./logs.js";
import { commandLine, processEnv, providedFiles, validateCreate, withImageDefaults, type ContainerConfig, type HostConfig } from "./config.js";
import { checkContainerName, generatedName } from "./names.js";
import { createdState, now, type ContainerState } from "./state.js";

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
}

export type WaitCondition = "not-running" | "next-exit" | "removed";

/** An output chunk of a container's PID 1. */
export interface OutputChunk {
  stream: 1 | 2;
  data: Buffer;
}

interface Running {
  process: ProcessHandle;
}

/**
 * Containers: their records in SQLite, their running processes, their output
 * (stored for `logs`, broadcast to attached clients) and the waits on them.
 */
export class ContainerManager {
  private readonly running = new Map<string, Running>();
  /** "output:<id>", "exit:<id>", "removed:<id>" and "stdin:<id>" events. */
  readonly bus = new EventEmitter().setMaxListeners(0);
  /** Every container's PID 1 output, line by line, for `logs` and attach's replay. */
  readonly logs: LogStore;

  constructor(
    private readonly db: Db,
    private readonly images: ImageStore,
    private readonly backend: Backend,
  ) {
    this.logs = new LogStore(db);
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
    this.db.update(containers).set({ name: c.name, state: c.state, restartCount: c.restartCount, hostConfig: c.hostConfig, config: c.config }).where(eq(containers.id, c.id)).run();
  }

  /** Finds a container by full ID, name, or unique ID prefix, as Docker does. */
  get(idOrName: string): Container {
    if (idOrName === "") throw new NotFoundError(`No such container: ${idOrName}`);
    const byId = this.db.select().from(containers).where(eq(containers.id, idOrName)).get();
    if (byId) return this.load(byId);
    const byName = this.db.select().from(containers).where(eq(containers.name, idOrName.startsWith("/") ? idOrName : `/${idOrName}`)).get();
    if (byName) return this.load(byName);
    if (/^[0-9a-f]+$/.test(idOrName)) {
      const matches = this.db.select({ id: containers.id }).from(containers).all().filter((r) => r.id.startsWith(idOrName));
      if (matches.length > 1) throw new InvalidParameterError(`multiple IDs found with provided prefix: ${idOrName}`);
      if (matches.length === 1) return this.get(matches[0].id);
    }
    throw new NotFoundError(`No such container: ${idOrName}`);
  }

  list(): Container[] {
    return this.db.select().from(containers).orderBy(asc(containers.created)).all().map((r) => this.load(r));
  }

  async create(name: string | undefined, config: ContainerConfig, hostConfig: HostConfig): Promise<Container> {
    const fullName = name ? checkContainerName(name) : this.unusedName();
    if (Object.keys(config).length === 0) throw new InvalidParameterError("Config cannot be empty in order to create a container");
    if (!config.Image) throw new InvalidParameterError("no image specified: Config.Image must be set");
    validateCreate(config, hostConfig);
    this.checkBackendSupports(hostConfig);
    const image = this.images.resolve(config.Image);
    const merged = withImageDefaults(config, image.config.config ?? {});
    const argv = commandLine(merged);
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
    };
    await this.backend.createContainer(this.backendSpec(c));
    this.db.insert(containers).values(c).run();
    return c;
  }

  backendSpec(c: Container) {
    const image = this.images.get(c.imageId);
    if (!image) throw new ConflictError(`the image of container ${c.id} (${c.imageId}) is gone`);
    return { id: c.id, layers: image.config.rootfs.diff_ids, memory: c.hostConfig.Memory ?? 0, init: Boolean(c.hostConfig.Init), files: providedFiles(c.config) };
  }

  /** Refuses what the backend cannot honour, rather than accepting it silently. */
  private checkBackendSupports(host: HostConfig): void {
    const backend = this.backend.describe();
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

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  async start(idOrName: string): Promise<void> {
    const c = this.get(idOrName);
    if (this.running.has(c.id)) throw new NotModifiedError();
    if (c.state.Status === "removing" || c.state.Status === "dead") throw new ConflictError(`cannot start a container in state ${c.state.Status}`);
    let process: ProcessHandle;
    try {
      process = await this.backend.startProcess(
        this.backendSpec(c),
        {
          argv: [c.path, ...c.args],
          env: processEnv(c.config),
          cwd: c.config.WorkingDir || "/",
          user: c.config.User ?? "",
          hostname: c.config.Hostname ?? "",
          tty: Boolean(c.config.Tty),
          stdin: Boolean(c.config.OpenStdin),
        },
        false,
      );
    } catch (err) {
      // A container that cannot start is not kept when it asked to be removed (docker run --rm).
      if (c.hostConfig.AutoRemove) await this.remove(c.id, { force: true });
      if (err instanceof ProcessStartError) {
        if (!c.hostConfig.AutoRemove) {
          c.state = { ...c.state, ExitCode: err.exitCode, Error: err.message };
          this.save(c);
        }
        throw new InvalidParameterError(`failed to create task for container: ${err.message}`);
      }
      throw err;
    }
    c.state = { ...createdState(), Status: "running", Running: true, StartedAt: now() };
    this.save(c);
    this.running.set(c.id, { process });
    process.onOutput((stream, data) => this.record(c.id, stream, data));
    const onStdin = (data: Buffer | null) => process.writeStdin(data);
    this.bus.on(`stdin:${c.id}`, onStdin);
    this.bus.emit(`started:${c.id}`);
    void process.exited.then((exit) => {
      this.bus.off(`stdin:${c.id}`, onStdin);
      this.running.delete(c.id);
      this.logs.end(c.id);
      const after = this.get(c.id);
      after.state = { ...after.state, Status: "exited", Running: false, Paused: false, Pid: 0, ExitCode: exit.exitCode, Error: exit.error ?? "", FinishedAt: now() };
      this.save(after);
      this.bus.emit(`exit:${c.id}`, exit.exitCode);
      if (after.hostConfig.AutoRemove) void this.remove(c.id, { force: true }).catch(() => {});
    });
  }

  private record(id: string, stream: 1 | 2, data: Buffer): void {
    this.logs.write(id, stream, data);
    this.bus.emit(`output:${id}`, { stream, data } satisfies OutputChunk);
  }

  /** Sends a signal to PID 1. */
  kill(idOrName: string, signal = "SIGKILL"): void {
    const c = this.get(idOrName);
    const r = this.running.get(c.id);
    if (!r) throw new ConflictError(`Cannot kill container: ${idOrName}: Container ${c.id} is not running`);
    r.process.signal(signal);
  }

  /** Stop signal, then SIGKILL after the timeout; 304 when it is not running. */
  async stop(idOrName: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    const c = this.get(idOrName);
    const r = this.running.get(c.id);
    if (!r) throw new NotModifiedError();
    const timeout = timeoutSeconds ?? (c.config.StopTimeout ?? 10);
    const exited = this.waitExit(c.id);
    r.process.signal(signal || c.config.StopSignal || "SIGTERM");
    if (timeout < 0) return void (await exited);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((res) => (timer = setTimeout(() => res("timeout"), timeout * 1000)));
    if ((await Promise.race([exited, timedOut])) === "timeout") {
      r.process.signal("SIGKILL");
      await exited;
    }
    clearTimeout(timer);
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
    const row = this.db.select().from(containers).where(eq(containers.id, id)).get();
    return row ? this.load(row) : undefined;
  }

  async remove(idOrName: string, opts: { force?: boolean }): Promise<void> {
    const c = this.get(idOrName);
    if (this.running.has(c.id)) {
      if (!opts.force) {
        throw new ConflictError(`cannot remove container "${c.name}": container is running: stop the container before removing or force remove`);
      }
      const exited = this.waitExit(c.id);
      this.running.get(c.id)!.process.signal("SIGKILL");
      await exited;
    }
    await this.backend.removeContainer(c.id);
    this.db.delete(containers).where(eq(containers.id, c.id)).run();
    this.logs.forget(c.id);
    this.bus.emit(`removed:${c.id}`, c.state.ExitCode);
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
   * does for containers whose task is gone.
   */
  recover(): void {
    for (const c of this.list()) {
      if (c.state.Status === "running" || c.state.Status === "paused" || c.state.Status === "restarting") {
        c.state = { ...c.state, Status: "exited", Running: false, Paused: false, Restarting: false, Pid: 0, ExitCode: 255, FinishedAt: now() };
        this.save(c);
      }
    }
  }
}
