import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { ConflictError } from "../../engine/errors.js";
import type { FromWorker } from "../../sandbox/worker/protocol.js";
import { HostPool, type HostedContainer, type HostWorker } from "./host.js";
import { sandboxGrants } from "./options.js";
import { FileCalls } from "./files.js";
import { ProcessStartError, type Backend, type BackendFactory, type ContainerFiles, type ContainerProcess, type ContainerSpec, type ContainerUsage, type ProcessExit, type ProcessHandle, type ProcessSpec } from "../backend.js";
import { writableLayerSize } from "./layer-size.js";
import { initMounts, runTmpfs } from "./mounts.js";

interface Proc {
  output: ((stream: 1 | 2, data: Buffer) => void) | undefined;
  pending: [1 | 2, Buffer][];
  exit: (e: ProcessExit) => void;
  /** What `top` shows of it. */
  info: ContainerProcess;
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
  private readonly unacknowledged = new Map<number, number>();

  constructor(
    private spec: ContainerSpec,
    private paths: { layersDir: string; upperDir: string; allowedUrls: string[] },
    private readonly pool: HostPool,
  ) {}

  get running(): boolean {
    return this.host !== undefined;
  }

  /** More loopback URLs its processes may reach, from the next start on. */
  grant(urls: string[]): void {
    this.paths = { ...this.paths, allowedUrls: [...this.paths.allowedUrls, ...urls] };
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
        else if (m.type === "files-result") this.fileCalls.answer(m);
        else if (m.type === "open-failed") opened.reject(new Error(`the container's file system could not be opened: ${m.message}`));
        else if (cid === this.cid) this.onMessage(m);
      },
      onHostGone: (outOfMemory, terminatedFor) => {
        clearTimeout(killTimer);
        this.fileCalls.fail(cid, "the sandbox host thread of the container ended");
        closedResolve();
        opened.reject(new Error("the sandbox host thread ended"));
        if (cid !== this.cid) return;
        if (outOfMemory) this.end({ oomKilled: true });
        // Containers sharing the thread end with it; say so rather than report a plain SIGKILL.
        else if (terminatedFor && terminatedFor !== cid) this.end({ error: `ended with the sandbox host thread it shared with container ${terminatedFor}, which was terminated to stop a process that did not yield` });
        else this.end();
      },
    };
    /** Ends the run on the host; resolves once its changes are written out (or the host is gone). */
    const close = () => {
      killTimer = setTimeout(() => void host.terminate(cid), KILL_GRACE_MS);
      host.send({ type: "close", cid });
      return closed;
    };
    return { listener, close };
  }

  /** Tells the host, once per turn of the event loop, how much output was taken in, so its writers may go on. */
  private acknowledge(pid: number, bytes: number): void {
    const first = this.unacknowledged.size === 0;
    this.unacknowledged.set(pid, (this.unacknowledged.get(pid) ?? 0) + bytes);
    if (!first) return;
    setImmediate(() => {
      const host = this.host;
      for (const [p, n] of this.unacknowledged) host?.send({ type: "ack", cid: this.cid, pid: p, bytes: n });
      this.unacknowledged.clear();
    });
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
        this.acknowledge(m.pid, data.length);
        break;
      }
      case "exit":
        this.finish(m.pid, { exitCode: m.code });
        if (m.pid === 1) this.end();
        break;
      case "usage":
        this.usageReplies.shift()?.(m);
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
  private end(how: Omit<ProcessExit, "exitCode"> = {}) {
    const host = this.host;
    if (!host) return;
    this.host = undefined;
    for (const pid of [...this.procs.keys()]) this.finish(pid, { exitCode: 137, ...how });
    for (const s of this.starting.values()) s.reject(new Error("the container's sandbox ended"));
    this.starting.clear();
    for (const reply of this.usageReplies.splice(0)) reply(undefined);
    // Files being copied in or out keep the run's file system open until they are done.
    const close = this.closeSession;
    if (!host.gone && close) this.settled = this.fileCalls.idle().then(close);
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
      const tmpfs = runTmpfs(this.paths.upperDir, cid);
      this.closeSession = () => session.close().finally(() => tmpfs.remove());
      host.send({ type: "open", cid, init: { ...this.paths, diffIds: containerSpec.layers, files: containerSpec.files, mounts: initMounts(containerSpec.mounts, tmpfs) } });
      this.cid = cid;
      this.host = host;
      this.nextPid = 1;
      this.opened = opened;
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
    const proc: Proc = { output: undefined, pending: [], exit: exitResolve, info: { pid, ppid: 0, argv: spec.argv, user: spec.user || "root", tty: spec.tty, startedAt: Date.now() } };
    this.procs.set(pid, proc);
    const started = new Promise<void>((resolve, reject) => this.starting.set(pid, { resolve, reject }));
    const cid = this.cid;
    host.send({ type: "run", cid, pid, argv: spec.argv, env: spec.env, cwd: spec.cwd, user: spec.user, groups: spec.groups, tty: spec.tty, stdin: spec.stdin, pid1: !exec, init: this.spec.init });
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
        if (signal === "SIGKILL" && pid === 1) return container.end();
        host.send({ type: "signal", cid, pid, signal });
      },
      resize() {},
      exited,
    };
  }

  // ---- observation (top, stats) ----

  /** Waiting for the host's answers, which come in order; a run that ends answers them with nothing. */
  private readonly usageReplies: ((m: Extract<FromWorker, { type: "usage" }> | undefined) => void)[] = [];

  /** Processes that have started, PID 1 first; the shell's pipelines and subcommands run inside them, not as processes of their own. */
  processes(): ContainerProcess[] {
    if (!this.host) return [];
    return [...this.procs.values()].map((p) => p.info).filter((p) => !this.starting.has(p.pid));
  }

  /**
   * CPU and heap are measured only for a container with a thread of its own
   * (a memory limit): on a shared thread they cannot be told apart from the
   * other containers' without instrumenting every asynchronous step.
   */
  async usage(): Promise<ContainerUsage | undefined> {
    const host = this.host;
    if (!host) return undefined;
    const pids = this.processes().length;
    if (!(this.spec.memory > 0)) return { pids };
    const m = await new Promise<Extract<FromWorker, { type: "usage" }> | undefined>((resolve) => {
      this.usageReplies.push(resolve);
      host.send({ type: "usage", cid: this.cid });
    });
    if (!m) return undefined;
    return { pids, cpu: { total: m.cpu.user + m.cpu.kernel, user: m.cpu.user, kernel: m.cpu.kernel }, memory: m.heapBytes };
  }

  // ---- files (docker cp, export, diff) ----

  private readonly fileCalls = new FileCalls();
  /** Resolves when the current run's file system is open on its host. */
  private opened: Promise<void> = Promise.resolve();

  /** A running container's files are served by its run; otherwise by a session of their own, which a start waits for. */
  async withFiles<T>(containerSpec: ContainerSpec, use: (files: ContainerFiles) => Promise<T>): Promise<T> {
    if (this.host) return this.useRun(use);
    const before = this.settled;
    let done!: () => void;
    this.settled = new Promise<void>((r) => (done = r));
    try {
      await before;
      if (this.host) {
        done();
        return await this.useRun(use);
      }
      const host = this.pool.pick(containerSpec.memory);
      const cid = `${containerSpec.id}#files${++this.sessions}`;
      let session!: ReturnType<SandboxContainer["session"]>;
      const opened = new Promise<void>((resolve, reject) => (session = this.session(cid, host, { resolve, reject })));
      host.place(cid, session.listener);
      // A container that is not running has no tmpfs: files copied there land in its own file system, as with dockerd.
      host.send({ type: "open", cid, init: { ...this.paths, diffIds: containerSpec.layers, files: containerSpec.files, mounts: initMounts(containerSpec.mounts.filter((m) => m.type !== "tmpfs"), undefined) } });
      try {
        await opened;
        const lease = this.fileCalls.lease(host, cid);
        try {
          return await use(lease.files);
        } finally {
          lease.release();
        }
      } finally {
        await session.close();
      }
    } finally {
      done();
    }
  }

  private async useRun<T>(use: (files: ContainerFiles) => Promise<T>): Promise<T> {
    const host = this.host!;
    const cid = this.cid;
    const lease = this.fileCalls.lease(host, cid);
    try {
      await this.opened;
      return await use(lease.files);
    } finally {
      lease.release();
    }
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
export const createSandboxBackend: BackendFactory = (options, dataDir) => {
  const allowedUrls = sandboxGrants(options);
  const containers = new Map<string, SandboxContainer>();
  const pool = new HostPool(Math.max(1, Math.min(4, availableParallelism())));
  pool.warm();
  const containerDir = (id: string) => join(dataDir, "sandbox", "containers", id);
  const get = (id: string, spec?: ContainerSpec) => {
    let c = containers.get(id);
    if (!c && spec) {
      c = new SandboxContainer(spec, { layersDir: join(dataDir, "layers"), upperDir: join(containerDir(id), "upper"), allowedUrls }, pool);
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
        archive: true,
        archiveNotRunning: true,
        pause: false,
        publishPorts: false,
        networking: false,
        mounts: true,
        signals: true,
        stderr: true,
        resources: ["Memory"],
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
    forgetUnknown(knownIds) {
      const dir = join(dataDir, "sandbox", "containers");
      if (!existsSync(dir)) return;
      for (const id of readdirSync(dir)) if (!knownIds.has(id)) rmSync(containerDir(id), { recursive: true, force: true });
    },
    withFiles: (container, use) => get(container.id, container).withFiles(container, use),
    processes: (id) => containers.get(id)?.processes() ?? [],
    usage: async (id) => containers.get(id)?.usage(),
    writableLayerSize: async (id) => writableLayerSize(join(containerDir(id), "upper")),
    grantUrls: (id, urls) => get(id).grant(sandboxGrants({ "allow-url": urls.join(" ") })),
    async close() {
      await Promise.all([...containers.values()].map((c) => c.kill()));
      await pool.close();
    },
  };
  return backend;
};
