import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "../../backends/backend.js";
import type { ExecConfig } from "../../engine/containers/exec.js";
import { Engine } from "../../engine/engine.js";
import { hostFacts } from "../../engine/host.js";
import { pullImage } from "../../engine/images/pull.js";
import { familiarName, parseReference } from "../../engine/images/reference.js";
import { openState, type State } from "../../engine/state/db.js";

/** A container a simulated service runs: an ECS task's container, a Lambda function's instance. */
export interface WorkloadSpec {
  name?: string;
  image: string;
  /** Replace the image's ENTRYPOINT and CMD when given. */
  entrypoint?: string[];
  command?: string[];
  /** KEY=VALUE, over the image's own. */
  env?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
  /** A hard memory limit in bytes; 0 for none. */
  memoryBytes?: number;
  /** Runs it with a terminal: output as a terminal writes it (CR LF), one stream. */
  tty?: boolean;
  /** Loopback HTTP URLs of the simulator's own its processes must reach (a Runtime API), on a backend that grants no network otherwise. */
  grantUrls?: string[];
}

export interface WorkloadExit {
  exitCode: number;
  /** Why it could not run or was cut short; empty when it ran and exited. */
  error: string;
  oomKilled: boolean;
}

export type OutputListener = (stream: 1 | 2, data: Buffer) => void;

export interface ExecHandle {
  writeStdin(data: Buffer | null): void;
  resize(rows: number, columns: number): void;
  readonly exited: Promise<number>;
}

export interface Workload {
  readonly id: string;
  readonly exited: Promise<WorkloadExit>;
  /** Sends `signal`, then SIGKILL after timeoutSeconds if it still runs. */
  stop(timeoutSeconds: number, signal?: string): Promise<void>;
  exec(argv: string[], options: { tty?: boolean; stdin?: boolean; env?: string[]; user?: string; workingDir?: string }, onOutput: OutputListener): Promise<ExecHandle>;
  remove(): Promise<void>;
}

/** Where a registry reference is pulled from, and with which credentials. */
export interface PullSource {
  reference: string;
  auth: { username?: string; password?: string };
}

/**
 * The simulator's workload host: an in-process engine (engine/ with a
 * Sockerless backend) that pulls images from a registry and runs them as
 * containers, with Docker's semantics for commands, environment and exits.
 */
export class Workloads {
  readonly engine: Engine;
  private readonly state: State;
  private readonly scratch?: string;
  /** Pulls in flight by reference, so concurrent tasks of one image pull it once. */
  private readonly pulls = new Map<string, Promise<void>>();

  /** `backend` is created over the engine's data directory (under dataDir, or a temporary one), where the images are kept. */
  constructor(backend: (dataDir: string) => Backend, dataDir?: string) {
    if (dataDir === undefined) this.scratch = mkdtempSync(join(tmpdir(), "sockerless-sim-"));
    const dir = dataDir ?? this.scratch!;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.state = openState(dataDir === undefined ? ":memory:" : join(dir, "engine.db"));
    this.engine = new Engine(this.state, backend(dir), { dataDir: dir });
  }

  /**
   * Where a simulator listener that its containers call (a Runtime API, a
   * metadata endpoint) binds, and the host its containers reach it at. On a
   * backend without networking (the sandbox) that is loopback, granted per
   * container; on one with networking (the docker backend) containers reach
   * the host at their network's gateway, so the listener takes every address.
   */
  serviceAddress(): { bind: string; reachAt: string } {
    if (!this.engine.backend.describe().capabilities.networking) return { bind: "127.0.0.1", reachAt: "127.0.0.1" };
    const gateway = this.engine.networks.get("bridge").ipam.Config.find((c) => c.Gateway && !c.Gateway.includes(":"))?.Gateway;
    if (!gateway) throw new Error("the default bridge network has no IPv4 gateway for containers to reach the simulator at");
    return { bind: "0.0.0.0", reachAt: gateway };
  }

  /** Pulls an image, as a node of the cloud does before running it; one pull per reference at a time. */
  pull(source: PullSource): Promise<void> {
    const running = this.pulls.get(source.reference);
    if (running) return running;
    const ref = parseReference(source.reference);
    const pulling = pullImage(
      { store: this.engine.images, distribution: this.engine.distribution, access: { auth: source.auth, insecure: [] }, hostArch: hostFacts().arch, emit: () => {} },
      { fromImage: familiarName(ref), tag: ref.digest ?? ref.tag ?? "latest", platform: "" },
    ).finally(() => this.pulls.delete(source.reference));
    this.pulls.set(source.reference, pulling);
    return pulling;
  }

  /** Creates and starts a container of a pulled image; output reaches onOutput from its first byte. */
  async run(spec: WorkloadSpec, onOutput: OutputListener): Promise<Workload> {
    const { containers, execs } = this.engine;
    const { container } = await containers.create(
      spec.name,
      {
        Image: spec.image,
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.command ? { Cmd: spec.command } : {}),
        Env: spec.env ?? [],
        WorkingDir: spec.workingDir ?? "",
        User: spec.user ?? "",
        Labels: spec.labels ?? {},
        Tty: Boolean(spec.tty),
      },
      { Memory: spec.memoryBytes ?? 0, NetworkMode: "default" },
    );
    const id = container.id;
    if (spec.grantUrls?.length) this.engine.backend.grantUrls?.(id, spec.grantUrls);
    const output = (chunk: { stream: 1 | 2; data: Buffer }) => onOutput(chunk.stream, chunk.data);
    containers.bus.on(`output:${id}`, output);
    const exited = new Promise<WorkloadExit>((resolve) => {
      containers.bus.once(`exit:${id}`, (exitCode: number) => {
        containers.bus.off(`output:${id}`, output);
        const { state } = containers.get(id);
        resolve({ exitCode, error: state.Error ?? "", oomKilled: Boolean(state.OOMKilled) });
      });
    });
    try {
      await containers.start(id);
    } catch (err) {
      containers.bus.off(`output:${id}`, output);
      const { state } = containers.get(id);
      await containers.remove(id, { force: true });
      return failedWorkload(id, { exitCode: state.ExitCode ?? 128, error: err instanceof Error ? err.message : String(err), oomKilled: false });
    }
    return {
      id,
      exited,
      stop: (timeoutSeconds, signal) => containers.stop(id, timeoutSeconds, signal),
      exec: async (argv, options, onExecOutput) => {
        const config: ExecConfig = {
          Cmd: argv,
          Tty: Boolean(options.tty),
          AttachStdin: Boolean(options.stdin),
          AttachStdout: true,
          AttachStderr: true,
          Env: options.env ?? [],
          User: options.user,
          WorkingDir: options.workingDir,
        };
        const exec = execs.create(id, config);
        const listener = (chunk: { stream: 1 | 2; data: Buffer }) => onExecOutput(chunk.stream, chunk.data);
        execs.bus.on(`output:${exec.id}`, listener);
        const execExited = new Promise<number>((resolve) =>
          execs.bus.once(`exit:${exec.id}`, (code: number) => {
            execs.bus.off(`output:${exec.id}`, listener);
            resolve(code);
          }),
        );
        await execs.start(exec.id);
        return {
          writeStdin: (data) => execs.writeStdin(exec.id, data),
          resize: (rows, columns) => execs.get(exec.id).process?.resize(rows, columns),
          exited: execExited,
        };
      },
      remove: () => containers.remove(id, { force: true }),
    };
  }

  /** Removes every container it ran (the services cannot take them up again after a restart), then closes the backend. */
  async close(): Promise<void> {
    const { containers } = this.engine;
    await Promise.all(containers.list().map((c) => containers.remove(c.id, { force: true }).catch(() => {})));
    await this.engine.backend.close();
    this.state.close();
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** A container that could not start: it has already exited with the reason. */
function failedWorkload(id: string, exit: WorkloadExit): Workload {
  const gone = async () => {};
  return {
    id,
    exited: Promise.resolve(exit),
    stop: gone,
    exec: () => Promise.reject(new Error(`container ${id} is not running`)),
    remove: gone,
  };
}

/** Splits a byte stream into lines, as log drivers do: a trailing partial line waits for its end or for flush. */
export class LineSplitter {
  private pending = "";

  /** `keepCR`: a line keeps the CR before its LF, as Docker's log drivers keep it. */
  constructor(
    private readonly emit: (line: string) => void,
    private readonly keepCR = false,
  ) {}

  write(data: Buffer): void {
    const text = this.pending + data.toString("utf8");
    const lines = text.split("\n");
    this.pending = lines.pop()!;
    for (const line of lines) this.emit(line.endsWith("\r") && !this.keepCR ? line.slice(0, -1) : line);
  }

  flush(): void {
    if (this.pending !== "") this.emit(this.pending);
    this.pending = "";
  }
}
