import { InvalidParameterError, TooManyRequestsError } from "../../engine/errors.js";
import type { PoolLimits } from "./config.js";

/** A running PID 1's hold on the pool; releasing twice is harmless. */
export interface Slot {
  release(): void;
}

interface Waiter {
  containerId: string;
  memory: number;
  admit: (slot: Slot) => void;
  reject: (err: Error) => void;
}

/**
 * Decides when a container's PID 1 may start in one pool: at once while the
 * pool has room, else in FIFO order as running ones exit, else (queue full)
 * refused with 429. Only the head of the queue is considered, so a large
 * start is not overtaken forever by small ones.
 */
export class Admission {
  private readonly held = new Set<{ memory: number }>();
  private readonly queue: Waiter[] = [];
  /** Starts refused because the queue was full. */
  rejected = 0;

  constructor(
    private readonly pool: string,
    private limits: PoolLimits,
  ) {}

  get running(): number {
    return this.held.size;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** The total HostConfig.Memory of the running containers. */
  get memory(): number {
    let sum = 0;
    for (const h of this.held) sum += h.memory;
    return sum;
  }

  /** Resolves when the container may start; throws at once when it can never or may not wait. */
  acquire(containerId: string, memory: number): Promise<Slot> {
    const { maxMemory } = this.limits;
    if (maxMemory > 0 && memory > maxMemory) {
      throw new InvalidParameterError(`container's memory limit (${memory} bytes) is more than pool "${this.pool}" allows for all its running containers (maxMemory ${maxMemory} bytes)`);
    }
    if (this.queue.length === 0 && this.fits(memory)) return Promise.resolve(this.hold(memory));
    if (this.queue.length >= this.limits.queueSize) {
      this.rejected++;
      throw new TooManyRequestsError(this.fullMessage());
    }
    return new Promise((admit, reject) => this.queue.push({ containerId, memory, admit, reject }));
  }

  /** Takes a process that is already running (adopted after a daemon restart) into the count, limits or not. */
  adopt(memory: number): Slot {
    return this.hold(memory);
  }

  /** Gives up the waiting starts of a container (removed) or of every container (`undefined`: closing). */
  cancel(containerId: string | undefined, err: Error): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const w = this.queue[i];
      if (containerId !== undefined && w.containerId !== containerId) continue;
      this.queue.splice(i, 1);
      w.reject(err);
    }
    this.drain();
  }

  setLimits(limits: PoolLimits): void {
    this.limits = limits;
    this.drain();
  }

  private fits(memory: number): boolean {
    const { maxRunning, maxMemory } = this.limits;
    if (maxRunning > 0 && this.held.size >= maxRunning) return false;
    return maxMemory === 0 || this.memory + memory <= maxMemory;
  }

  private hold(memory: number): Slot {
    const hold = { memory };
    this.held.add(hold);
    return {
      release: () => {
        if (this.held.delete(hold)) this.drain();
      },
    };
  }

  private drain(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0].memory)) {
      const w = this.queue.shift()!;
      w.admit(this.hold(w.memory));
    }
  }

  private fullMessage(): string {
    const { maxRunning, queueSize, maxMemory } = this.limits;
    const memory = maxMemory > 0 ? `, ${this.memory} of ${maxMemory} bytes of memory limits in use (maxMemory)` : "";
    return `pool "${this.pool}" is full: ${this.held.size} containers running (maxRunning ${maxRunning || "unlimited"})${memory} and ${this.queue.length} starts waiting (queueSize ${queueSize}); try again when one exits`;
  }
}
