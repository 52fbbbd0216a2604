import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { ConflictError } from "../../engine/errors.js";
import { packageRoot } from "../../engine/package-info.js";
import type { FromWorker, ToWorker, WorkerInit } from "../../sandbox/worker/protocol.js";
import { signalName } from "../../sandbox/worker/protocol.js";
import { ProcessStartError, type Backend, type BackendFactory, type ContainerSpec, type ProcessExit, type ProcessHandle, type ProcessSpec } from "../backend.js";

const workerScript = join(packageRoot, "dist", "sandbox", "worker", "container-worker.js");

interface Proc {
  output: ((stream: 1 | 2, data: Buffer) => void) | undefined;
  pending: [1 | 2, Buffer][];
  exit: (e: ProcessExit) => void;
}

/** One container's worker and its processes. */
class SandboxContainer {
  private worker: Worker | undefined;
  private readonly procs = new Map<number, Proc>();
  private readonly starting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextPid = 1;
  private oom = false;

  constructor(
    private spec: ContainerSpec,
    private readonly paths: Omit<WorkerInit, "files">,
  ) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  private send(m: ToWorker) {
    this.worker?.postMessage(m);
  }

  private async boot(): Promise<void> {
    const mb = this.spec.memory > 0 ? Math.max(8, Math.floor(this.spec.memory / (1024 * 1024))) : undefined;
    const init: WorkerInit = { ...this.paths, files: this.spec.files };
    const worker = new Worker(workerScript, { workerData: init, resourceLimits: mb ? { maxOldGenerationSizeMb: mb } : undefined });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === "ready") resolve();
        else if (m.type === "fatal") reject(new Error(`sandbox container could not start: ${m.message}`));
      };
      worker.once("message", onMessage);
      worker.once("error", reject);
    });
    worker.on("message", (m: FromWorker) => this.onMessage(m));
    worker.on("error", (err: Error & { code?: string }) => {
      if (err.code === "ERR_WORKER_OUT_OF_MEMORY") this.oom = true;
    });
    worker.once("exit", () => this.onWorkerExit(worker));
  }

  private onMessage(m: FromWorker) {
    switch (m.type) {
      case "started":
        this.starting.get(m.pid)?.resolve();
        this.starting.delete(m.pid);
        break;
      case "start-failed":
        this.starting.get(m.pid)?.reject(new ProcessStartError(m.message, m.exitCode));
        this.starting.delete(m.pid);
        break;
      case "output": {
        const p = this.procs.get(m.pid);
        if (!p) break;
        const data = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
        if (p.output) p.output(m.stream, data);
        else p.pending.push([m.stream, data]);
        break;
      }
      case "exit":
        this.finish(m.pid, { exitCode: m.code });
        if (m.pid === 1) void this.stopWorker();
        break;
    }
  }

  private finish(pid: number, exit: ProcessExit) {
    const p = this.procs.get(pid);
    if (!p) return;
    this.procs.delete(pid);
    p.exit(exit);
  }

  /**
   * When PID 1 ends, the container's other processes end with it. The
   * worker is let go at once, so the container can start again while the
   * old thread is still being torn down.
   */
  private async stopWorker(exitCode = 137) {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    for (const pid of [...this.procs.keys()]) this.finish(pid, { exitCode, ...(this.oom ? { error: "OOMKilled" } : {}) });
    for (const s of this.starting.values()) s.reject(new Error("the container's sandbox ended"));
    this.starting.clear();
    this.oom = false;
    await worker.terminate();
  }

  private onWorkerExit(worker: Worker) {
    if (this.worker === worker) void this.stopWorker();
  }

  async start(containerSpec: ContainerSpec, spec: ProcessSpec, exec: boolean): Promise<ProcessHandle> {
    if (!exec) {
      if (this.worker) throw new ConflictError("container is already running");
      this.spec = containerSpec;
      await this.boot();
      this.nextPid = 1;
    } else if (!this.worker) {
      throw new ConflictError(`container ${this.spec.id} is not running`);
    }
    const pid = this.nextPid++;
    let exitResolve!: (e: ProcessExit) => void;
    const exited = new Promise<ProcessExit>((r) => (exitResolve = r));
    const proc: Proc = { output: undefined, pending: [], exit: exitResolve };
    this.procs.set(pid, proc);
    const started = new Promise<void>((resolve, reject) => this.starting.set(pid, { resolve, reject }));
    this.send({ type: "run", pid, argv: spec.argv, env: spec.env, cwd: spec.cwd, tty: spec.tty, stdin: spec.stdin, pid1: !exec, init: this.spec.init });
    try {
      await started;
    } catch (err) {
      this.procs.delete(pid);
      if (!exec) await this.stopWorker();
      throw err;
    }
    const container = this;
    return {
      onOutput(listener) {
        proc.output = listener;
        for (const [s, d] of proc.pending.splice(0)) listener(s, d);
      },
      writeStdin(data) {
        container.send({ type: "stdin", pid, data: data === null ? null : new Uint8Array(data) });
      },
      signal(signal) {
        const name = signalName(signal) ?? "SIGTERM";
        if (name === "SIGKILL") {
          if (pid === 1) void container.stopWorker();
          else container.send({ type: "signal", pid, signal: name });
          return;
        }
        container.send({ type: "signal", pid, signal: name });
      },
      resize() {},
      exited,
    };
  }

  async kill(): Promise<void> {
    await this.stopWorker();
  }
}

/**
 * The embedded sandbox backend: each running container is a worker thread
 * holding its copy-on-write file system over the shared image layers, with a
 * streaming shell and utilities; Linux binaries cannot run and say so.
 */
export const createSandboxBackend: BackendFactory = (_options, dataDir) => {
  const containers = new Map<string, SandboxContainer>();
  const containerDir = (id: string) => join(dataDir, "sandbox", "containers", id);
  const get = (id: string, spec?: ContainerSpec) => {
    let c = containers.get(id);
    if (!c && spec) {
      c = new SandboxContainer(spec, { layersDir: join(dataDir, "layers"), diffIds: spec.layers, upperDir: join(containerDir(id), "upper") });
      containers.set(id, c);
    }
    if (!c) throw new ConflictError(`container ${id} has no sandbox`);
    return c;
  };
  const backend: Backend = {
    describe: () => ({
      name: "sandbox",
      summary: "in-process sandbox: a streaming shell and utilities over the image's files; no Linux binaries, no network",
      version: "0.1.0",
      capabilities: {
        run: true,
        exec: true,
        attach: true,
        archive: false,
        pause: false,
        publishPorts: false,
        networking: false,
      },
    }),
    async createContainer(spec) {
      mkdirSync(join(containerDir(spec.id), "upper"), { recursive: true });
      get(spec.id, spec);
    },
    async startProcess(container, spec, exec) {
      return get(container.id, container).start(container, spec, exec);
    },
    async removeContainer(id) {
      const c = containers.get(id);
      if (c?.running) await c.kill();
      containers.delete(id);
      rmSync(containerDir(id), { recursive: true, force: true });
    },
    async close() {
      await Promise.all([...containers.values()].map((c) => c.kill()));
    },
  };
  return backend;
};
