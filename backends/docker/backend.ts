import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Socket } from "node:net";
import process_ from "node:process";
import { ProcessStartError, type Backend, type BackendFactory, type ContainerFiles, type ContainerSpec, type ContainerUsage, type ImageSource, type PortMap, type ProcessExit, type ProcessHandle, type ProcessSpec } from "../backend.js";
import { EngineClient, EngineError, readAll } from "./engine-client.js";
import { EngineFiles } from "./engine-files.js";
import { EngineImages } from "./engine-images.js";
import { EngineNetworks } from "./engine-networks.js";
import { EngineProcess } from "./engine-process.js";
import { CONTAINER_LABEL, createBody, engineNetworkMode, OWNER_LABEL, volumeName } from "./create-body.js";
import { dockerBackendHost } from "./options.js";

interface EngineState {
  Running: boolean;
  ExitCode: number;
  Error: string;
  OOMKilled: boolean;
}

interface EngineInspect {
  Id: string;
  State: EngineState;
  SizeRw?: number;
  NetworkSettings: { Ports: PortMap | null; Networks: Record<string, unknown> | null };
}

/** The engine's container name for a Sockerless container. */
const engineName = (id: string) => `sockerless-${id}`;

/**
 * Containers on a Docker-API engine (dockerd, podman): engine/ keeps every
 * Docker semantic and its own records; the engine runs the processes, and
 * provides the networks, ports and DNS. Its containers outlive this daemon
 * and are adopted again at startup.
 */
class DockerBackend implements Backend {
  private readonly client: EngineClient;
  private readonly images: EngineImages;
  private readonly networks: EngineNetworks;
  /** Engine containers being created, so concurrent calls create one. */
  private readonly creating = new Map<string, Promise<void>>();
  /** Ports of running containers, read once at start. */
  private readonly ports = new Map<string, PortMap>();

  constructor(
    host: string,
    /** Marks this daemon's engine containers, so two daemons can share one engine. */
    private readonly owner: string,
  ) {
    this.client = new EngineClient(host);
    this.images = new EngineImages(this.client);
    this.networks = new EngineNetworks(this.client);
  }

  describe() {
    return {
      name: "docker",
      summary: `containers run on the Docker engine at ${this.client.host}`,
      version: "1",
      capabilities: { run: true, exec: true, attach: true, archive: true, archiveNotRunning: true, pause: true, publishPorts: true, networking: true, mounts: true, signals: true, stderr: true, resources: ["Memory"] },
    };
  }

  useImages(source: ImageSource): void {
    this.images.use(source);
  }

  private inspect(id: string): Promise<EngineInspect> {
    return this.client.call<EngineInspect>("GET", `/containers/${engineName(id)}/json`);
  }

  private async exists(id: string): Promise<boolean> {
    try {
      await this.inspect(id);
      return true;
    } catch (err) {
      if (err instanceof EngineError && err.status === 404) return false;
      throw err;
    }
  }

  /** The image is copied at create, so a create fails early when the engine cannot take it. */
  async createContainer(spec: ContainerSpec): Promise<void> {
    await this.images.ensure(spec.image);
  }

  /** The engine container appears on first use: by then engine/ has recorded the container's networks. */
  private ensureCreated(spec: ContainerSpec): Promise<void> {
    let made = this.creating.get(spec.id);
    if (!made) {
      made = this.create(spec).finally(() => this.creating.delete(spec.id));
      this.creating.set(spec.id, made);
    }
    return made;
  }

  private async create(spec: ContainerSpec): Promise<void> {
    if (await this.exists(spec.id)) return;
    const image = await this.images.ensure(spec.image);
    for (const m of spec.mounts.filter((m) => m.type === "volume")) {
      await this.client.call("POST", "/volumes/create", { Name: volumeName(m.source), Driver: "local", DriverOpts: { type: "none", o: "bind", device: m.source }, Labels: { [OWNER_LABEL]: this.owner } });
    }
    const first = spec.network?.endpoints[0];
    const mode = engineNetworkMode(spec.network, first && (await this.networks.ensure(first)));
    await this.client.call("POST", `/containers/create?name=${engineName(spec.id)}`, createBody(spec, image, this.owner, mode));
  }

  async withFiles<T>(container: ContainerSpec, use: (files: ContainerFiles) => Promise<T>): Promise<T> {
    await this.ensureCreated(container);
    const files = new EngineFiles(this.client, engineName(container.id), async () => (await this.inspect(container.id)).State.Running);
    const result = await use(files);
    await files.finish();
    return result;
  }

  async startProcess(container: ContainerSpec, process: ProcessSpec, exec: boolean): Promise<ProcessHandle> {
    return exec ? this.startExec(container, process) : this.startMain(container, process);
  }

  private async startMain(spec: ContainerSpec, process: ProcessSpec): Promise<ProcessHandle> {
    await this.ensureCreated(spec);
    const name = engineName(spec.id);
    await this.syncNetworks(spec, true);
    const socket = await this.client.hijack(`/containers/${name}/attach?stream=1&stdout=1&stderr=1&stdin=${process.stdin ? 1 : 0}`);
    // Read from now on: a quick process's output and end of stream come before start returns.
    let exited!: (exit: Promise<ProcessExit>) => void;
    const handle = this.mainHandle(spec.id, socket, process.tty, new Promise<ProcessExit>((resolve) => (exited = resolve)));
    // Registered before start (the engine answers the headers once it is), so an exit however quick is seen.
    let waiting;
    try {
      waiting = await this.client.stream("POST", `/containers/${name}/wait?condition=next-exit`);
    } catch (err) {
      socket.destroy();
      throw err;
    }
    try {
      await this.client.call("POST", `/containers/${name}/start`);
    } catch (err) {
      waiting.destroy();
      socket.destroy();
      throw await this.startFailure(spec.id, err);
    }
    exited(this.exitAfter(readAll(waiting), spec.id));
    const state = await this.inspect(spec.id);
    if (state.State.Running && state.NetworkSettings.Ports) this.ports.set(spec.id, state.NetworkSettings.Ports);
    return handle;
  }

  private async syncNetworks(spec: ContainerSpec, renew: boolean): Promise<void> {
    const mode = spec.network?.mode ?? "none";
    if (mode === "none" || mode === "host") return;
    const connected = Object.keys((await this.inspect(spec.id)).NetworkSettings.Networks ?? {});
    await this.networks.sync(engineName(spec.id), spec.network?.endpoints ?? [], connected, renew);
  }

  /** A running container joined or left a network. */
  async updateNetworks(spec: ContainerSpec): Promise<void> {
    await this.syncNetworks(spec, false);
  }

  private mainHandle(id: string, socket: Socket | undefined, tty: boolean, exit: Promise<ProcessExit>): ProcessHandle {
    const name = engineName(id);
    const handle = new EngineProcess(socket, tty, {
      signal: (signal) => this.client.call("POST", `/containers/${name}/kill?signal=${signal}`),
      resize: (rows, columns) => this.client.call("POST", `/containers/${name}/resize?h=${rows}&w=${columns}`),
      exit,
    });
    void handle.exited.then(() => this.ports.delete(id));
    return handle;
  }

  /** How PID 1 ended, once `ended` says it has; a container gone from the engine (or an engine gone) ends it with 255 and says why. */
  private async exitAfter(ended: Promise<unknown>, id: string): Promise<ProcessExit> {
    try {
      await ended;
      const { State } = await this.inspect(id);
      return { exitCode: State.ExitCode, ...(State.Error ? { error: State.Error } : {}), ...(State.OOMKilled ? { oomKilled: true } : {}) };
    } catch (err) {
      return { exitCode: 255, error: `lost the container on the engine at ${this.client.host}: ${(err as Error).message}` };
    }
  }

  /** A start the engine refused: its exit code (127 not found, 126 not executable) and message, as engine/ reports them. */
  private async startFailure(id: string, err: unknown): Promise<Error> {
    if (!(err instanceof EngineError)) return err as Error;
    const { State } = await this.inspect(id);
    const code = State.ExitCode === 126 || State.ExitCode === 127 ? State.ExitCode : 128;
    return new ProcessStartError(err.message, code);
  }

  private async startExec(spec: ContainerSpec, process: ProcessSpec): Promise<ProcessHandle> {
    const created = await this.client.call<{ Id: string }>("POST", `/containers/${engineName(spec.id)}/exec`, {
      Cmd: process.argv,
      Env: process.env,
      WorkingDir: process.cwd,
      User: process.user,
      Tty: process.tty,
      AttachStdin: process.stdin,
      AttachStdout: true,
      AttachStderr: true,
    });
    const socket = await this.client.hijack(`/exec/${created.Id}/start`, { Detach: false, Tty: process.tty });
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    return new EngineProcess(socket, process.tty, {
      // The Engine API has no call that signals an exec; it ends with its container.
      signal: async (signal) => void process_.emitWarning(`the docker backend cannot send ${signal} to an exec: the Engine API has no call for it`),
      resize: (rows, columns) => this.client.call("POST", `/exec/${created.Id}/resize?h=${rows}&w=${columns}`),
      exit: closed.then(() => this.execExit(created.Id)),
    });
  }

  /** An exec's exit code once its stream closed; an engine that cannot say ends it with 255 and the reason. */
  private async execExit(execId: string): Promise<ProcessExit> {
    try {
      // The engine may close the stream a moment before it records the exit code.
      for (let attempt = 0; attempt < 100; attempt++) {
        const { ExitCode } = await this.client.call<{ ExitCode: number | null }>("GET", `/exec/${execId}/json`);
        if (ExitCode !== null) return { exitCode: ExitCode };
        await new Promise((r) => setTimeout(r, 20));
      }
      return { exitCode: 255, error: "the engine reports no exit code for the exec" };
    } catch (err) {
      return { exitCode: 255, error: `lost the exec on the engine at ${this.client.host}: ${(err as Error).message}` };
    }
  }

  async adopt(spec: ContainerSpec): Promise<ProcessHandle | undefined> {
    let state: EngineInspect;
    try {
      state = await this.inspect(spec.id);
    } catch (err) {
      if (err instanceof EngineError && err.status === 404) return undefined;
      throw err;
    }
    const name = engineName(spec.id);
    const socket = state.State.Running ? await this.client.hijack(`/containers/${name}/attach?stream=1&stdout=1&stderr=1&stdin=${spec.main?.stdin ? 1 : 0}`) : undefined;
    if (state.NetworkSettings.Ports && state.State.Running) this.ports.set(spec.id, state.NetworkSettings.Ports);
    const exit = this.exitAfter(this.client.call("POST", `/containers/${name}/wait?condition=not-running`), spec.id);
    return this.mainHandle(spec.id, socket, spec.main?.tty ?? false, exit);
  }

  listProcesses(containerId: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    const query = psArgs ? `?ps_args=${encodeURIComponent(psArgs)}` : "";
    return this.client.call("GET", `/containers/${engineName(containerId)}/top${query}`);
  }

  async pause(containerId: string): Promise<void> {
    await this.client.call("POST", `/containers/${engineName(containerId)}/pause`);
  }

  async unpause(containerId: string): Promise<void> {
    await this.client.call("POST", `/containers/${engineName(containerId)}/unpause`);
  }

  publishedPorts(containerId: string): PortMap | undefined {
    return this.ports.get(containerId);
  }

  async usage(containerId: string): Promise<ContainerUsage | undefined> {
    const s = await this.client.call<{ cpu_stats?: { cpu_usage?: { total_usage?: number; usage_in_usermode?: number; usage_in_kernelmode?: number } }; memory_stats?: { usage?: number }; pids_stats?: { current?: number } }>(
      "GET",
      `/containers/${engineName(containerId)}/stats?stream=0&one-shot=1`,
    );
    const cpu = s.cpu_stats?.cpu_usage;
    return {
      ...(cpu?.total_usage !== undefined ? { cpu: { total: cpu.total_usage, user: cpu.usage_in_usermode ?? 0, kernel: cpu.usage_in_kernelmode ?? 0 } } : {}),
      ...(s.memory_stats?.usage !== undefined ? { memory: s.memory_stats.usage } : {}),
      pids: s.pids_stats?.current ?? 0,
    };
  }

  async writableLayerSize(containerId: string): Promise<number> {
    try {
      const inspect = await this.client.call<EngineInspect>("GET", `/containers/${engineName(containerId)}/json?size=1`);
      return inspect.SizeRw ?? 0;
    } catch (err) {
      // Not on the engine yet (nothing has used its files): no changes.
      if (err instanceof EngineError && err.status === 404) return 0;
      throw err;
    }
  }

  /** Removes the engine's container, and the network mirrors only it was on, so their subnets are free on the host again. */
  async removeContainer(containerId: string): Promise<void> {
    this.ports.delete(containerId);
    let networks: string[];
    try {
      networks = Object.keys((await this.inspect(containerId)).NetworkSettings.Networks ?? {});
      await this.client.call("DELETE", `/containers/${engineName(containerId)}?force=1`);
    } catch (err) {
      if (err instanceof EngineError && err.status === 404) return;
      throw err;
    }
    await this.networks.releaseUnused(networks);
  }

  forgetUnknown(knownIds: Set<string>): void {
    this.removeUnknown(knownIds).catch((err: Error) => process_.emitWarning(`the docker backend could not remove engine containers Sockerless has no record of: ${err.message}`));
  }

  private async removeUnknown(knownIds: Set<string>): Promise<void> {
    const filters = encodeURIComponent(JSON.stringify({ label: [`${OWNER_LABEL}=${this.owner}`] }));
    const mine = await this.client.call<{ Labels: Record<string, string> }[]>("GET", `/containers/json?all=1&filters=${filters}`);
    for (const c of mine) {
      const id = c.Labels[CONTAINER_LABEL];
      if (id && !knownIds.has(id)) await this.removeContainer(id);
    }
  }

  async close(): Promise<void> {
    // The engine's containers keep running; the next start adopts them.
  }
}

/** This data directory's owner mark, kept across restarts. */
function ownerId(dataDir: string): string {
  const file = join(dataDir, "docker-backend-owner");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const id = randomUUID();
  writeFileSync(file, `${id}\n`);
  return id;
}

export const createDockerBackend: BackendFactory = (options, dataDir) => new DockerBackend(dockerBackendHost(options), ownerId(dataDir));
