import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { ConflictError } from "../../engine/errors.js";
import type { FromWorker } from "../../sandbox/worker/protocol.js";
import { signalName } from "../../sandbox/worker/protocol.js";
import { HostPool, type HostedContainer, type HostWorker } from "./host.js";
import { ProcessStartError, type Backend, type BackendFactory, type ContainerSpec, type ProcessExit, type ProcessHandle, type ProcessSpec } from "../backend.js";

interface Proc {
  output: ((stream: 1 | 2, data: Buffer) => void) | undefined;
  pending: [1 | 2, Buffer][];
  exit: (e: ProcessExit) => void;
}

/** How long a host may take to end a container's processes before the whole thread is terminated. */
const KILL_GRACE_MS = 2000;

/**
 * One container's processes on a host thread. Each run (start to exit of
 * PID 1) is a session with its own ID on the host, so late messages of an
 * ended run never reach the next one.
 */
class SandboxContainer {
  private host: HostWorker | undefined;
  private cid = "";
  private sessions = 0;
  private readonly procs = new Map<number, Proc>();
  private readonly starting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextPid = 1;

  constructor(
    private spec: ContainerSpec,
    private readonly paths: { layersDir: string; upperDir: string },
    private readonly pool: HostPool,
  ) {}

  get running(): boolean {
    return this.host !== undefined;
  }

  /** The host-side view of one run: routes its messages, and terminates a host that cannot end it in time. */
  private session(cid: string, host: HostWorker, opened: { resolve: () => void; reject: (e: Error) => void }) {
    let killTimer: NodeJS.Timeout | undefined;
    let closedResolve!: () => void;
    const closed = new Promise<void>((r) => (closedResolve = r));
    const listener: HostedContainer = {
      onMessage: (m) => {
        if (m.type === "closed") {
          clearTimeout(killTimer);
          host.release(cid);
          closedResolve();
          if (this.spec.memory > 0) void host.terminate();
        } else if (m.type === "opened") opened.resolve();
        else if (m.type === "open-failed") opened.reject(new Error(`the container's file system could not be opened: ${m.message}`));
        else if (cid === this.cid) this.onMessage(m);
      },
      onHostGone: (outOfMemory) => {
        clearTimeout(killTimer);
        closedResolve();
        opened.reject(new Error("the sandbox host thread ended"));
        if (cid === this.cid) this.end(outOfMemory ? "OOMKilled" : undefined);
      },
    };
    /** Ends the run on the host; resolves once its changes are written out (or the host is gone). */
    const close = () => {
      killTimer = setTimeout(() => void host.terminate(), KILL_GRACE_MS);
      host.send({ type: "close", cid });
      return closed;
    };
    return { listener, close };
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
        if (m.pid === 1) this.end();
        break;
    }
  }

  private finish(pid: number, exit: ProcessExit) {
    const p = this.procs.get(pid);
    if (!p) return;
    this.procs.delete(pid);
    p.exit(exit);
  }

  private closeSession: (() => Promise<void>) | undefined;
  /** Resolves when the last run's file system changes are all written. */
  private settled: Promise<void> = Promise.resolve();

  /** Ends the run: PID 1 is gone, so every other process of the container is killed with it. */
  private end(error?: string) {
    const host = this.host;
    if (!host) return;
    this.host = undefined;
    for (const pid of [...this.procs.keys()]) this.finish(pid, { exitCode: 137, ...(error ? { error } : {}) });
    for (const s of this.starting.values()) s.reject(new Error("the container's sandbox ended"));
    this.starting.clear();
    if (!host.gone && this.closeSession) this.settled = this.closeSession();
  }

  async start(containerSpec: ContainerSpec, spec: ProcessSpec, exec: boolean): Promise<ProcessHandle> {
    if (!exec) {
      if (this.host) throw new ConflictError("container is already running");
      // The previous run's changes must be on disk before the next run reads them.
      await this.settled;
      if (this.host) throw new ConflictError("container is already running");
      this.spec = containerSpec;
      const host = this.pool.pick(containerSpec.memory);
      const cid = `${containerSpec.id}#${++this.sessions}`;
      let session!: ReturnType<SandboxContainer["session"]>;
      const opened = new Promise<void>((resolve, reject) => (session = this.session(cid, host, { resolve, reject })));
      host.place(cid, session.listener);
      this.closeSession = session.close;
      host.send({ type: "open", cid, init: { ...this.paths, diffIds: containerSpec.layers, files: containerSpec.files } });
      this.cid = cid;
      this.host = host;
      this.nextPid = 1;
      try {
        await opened;
      } catch (err) {
        this.end();
        throw err;
      }
    } else if (!this.host) {
      throw new ConflictError(`container ${this.spec.id} is not running`);
    }
    const host = this.host!;
    const pid = this.nextPid++;
    let exitResolve!: (e: ProcessExit) => void;
    const exited = new Promise<ProcessExit>((r) => (exitResolve = r));
    const proc: Proc = { output: undefined, pending: [], exit: exitResolve };
    this.procs.set(pid, proc);
    const started = new Promise<void>((resolve, reject) => this.starting.set(pid, { resolve, reject }));
    const cid = this.cid;
    host.send({ type: "run", cid, pid, argv: spec.argv, env: spec.env, cwd: spec.cwd, tty: spec.tty, stdin: spec.stdin, pid1: !exec, init: this.spec.init });
    try {
      await started;
    } catch (err) {
      this.procs.delete(pid);
      if (!exec) this.end();
      throw err;
    }
    const container = this;
    return {
      onOutput(listener) {
        proc.output = listener;
        for (const [s, d] of proc.pending.splice(0)) listener(s, d);
      },
      writeStdin(data) {
        if (container.cid === cid) host.send({ type: "stdin", cid, pid, data: data === null ? null : new Uint8Array(data) });
      },
      signal(signal) {
        if (container.cid !== cid || !container.host) return;
        const name = signalName(signal) ?? "SIGTERM";
        if (name === "SIGKILL" && pid === 1) return container.end();
        host.send({ type: "signal", cid, pid, signal: name });
      },
      resize() {},
      exited,
    };
  }

  /** Kills every process and waits until the host has let go of the container's files. */
  async kill(): Promise<void> {
    this.end();
    await this.settled;
  }
}

/**
 * The embedded sandbox backend: each running container is a worker thread
 * holding its copy-on-write file system over the shared image layers, with a
 * streaming shell and utilities; Linux binaries cannot run and say so.
 */
export const createSandboxBackend: BackendFactory = (_options, dataDir) => {
  const containers = new Map<string, SandboxContainer>();
  const pool = new HostPool(Math.max(1, Math.min(4, availableParallelism())));
  pool.warm();
  const containerDir = (id: string) => join(dataDir, "sandbox", "containers", id);
  const get = (id: string, spec?: ContainerSpec) => {
    let c = containers.get(id);
    if (!c && spec) {
      c = new SandboxContainer(spec, { layersDir: join(dataDir, "layers"), upperDir: join(containerDir(id), "upper") }, pool);
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
      await c?.kill();
      containers.delete(id);
      rmSync(containerDir(id), { recursive: true, force: true });
    },
    async close() {
      await Promise.all([...containers.values()].map((c) => c.kill()));
      await pool.close();
    },
  };
  return backend;
};
