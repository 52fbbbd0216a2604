import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { packageRoot } from "../../engine/package-info.js";
import { OUT_OF_MEMORY_EXIT } from "../../sandbox/worker/memory-guard.js";
import type { FromWorker, ToWorker } from "../../sandbox/worker/protocol.js";

const hostScript = join(packageRoot, "dist", "sandbox", "worker", "host-worker.js");

/** What a container placed on a host hears from it. */
export interface HostedContainer {
  onMessage(m: FromWorker): void;
  /**
   * The host thread ended (crash, out of memory, or terminated): every process
   * of the container is gone. `terminatedFor` names the container whose
   * runaway process made the daemon end the thread.
   */
  onHostGone(outOfMemory: boolean, terminatedFor: string | undefined): void;
}

/** One worker thread running the processes of the containers placed on it. */
export class HostWorker {
  private readonly worker: Worker;
  private readonly hosted = new Map<string, HostedContainer>();
  private outOfMemory = false;
  private terminatedFor: string | undefined;
  gone = false;

  constructor(memoryBytes: number, onGone: (h: HostWorker) => void) {
    // V8's limit leaves room above the container's, which the thread enforces itself (sandbox/worker/memory-guard.ts).
    const mb = memoryBytes > 0 ? Math.max(8, Math.floor(memoryBytes / (1024 * 1024))) * 3 + 64 : undefined;
    this.worker = new Worker(hostScript, { resourceLimits: mb ? { maxOldGenerationSizeMb: mb } : undefined, workerData: { memoryBytes } });
    this.worker.unref();
    this.worker.on("message", (m: FromWorker) => this.hosted.get(m.cid)?.onMessage(m));
    this.worker.on("error", (err: Error & { code?: string }) => {
      if (err.code === "ERR_WORKER_OUT_OF_MEMORY") this.outOfMemory = true;
    });
    this.worker.once("exit", (code) => {
      if (code === OUT_OF_MEMORY_EXIT) this.outOfMemory = true;
      this.gone = true;
      for (const c of this.hosted.values()) c.onHostGone(this.outOfMemory, this.terminatedFor);
      this.hosted.clear();
      onGone(this);
    });
  }

  get load(): number {
    return this.hosted.size;
  }

  place(cid: string, c: HostedContainer): void {
    this.hosted.set(cid, c);
  }

  release(cid: string): void {
    this.hosted.delete(cid);
  }

  send(m: ToWorker): void {
    if (!this.gone) this.worker.postMessage(m);
  }

  /** Ends the thread; `forCid` is the container that could not be stopped otherwise. */
  terminate(forCid?: string): Promise<number> {
    this.terminatedFor ??= forCid;
    return this.worker.terminate();
  }
}

/**
 * Shared host threads, started ahead so a container starts without booting
 * one. Containers with a memory limit get a thread of their own, whose heap
 * limit enforces it.
 */
export class HostPool {
  private readonly shared: HostWorker[] = [];

  constructor(private readonly size: number) {}

  private spawn(memory: number): HostWorker {
    return new HostWorker(memory, (h) => {
      const i = this.shared.indexOf(h);
      if (i >= 0) this.shared.splice(i, 1);
    });
  }

  /** Starts the shared threads before the first container needs them. */
  warm(): void {
    while (this.shared.length < this.size) this.shared.push(this.spawn(0));
  }

  pick(memory: number): HostWorker {
    if (memory > 0) return this.spawn(memory);
    this.warm();
    return this.shared.reduce((a, b) => (b.load < a.load ? b : a));
  }

  async close(): Promise<void> {
    await Promise.all(this.shared.splice(0).map((h) => h.terminate()));
  }
}
