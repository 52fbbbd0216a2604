import type { Backend, BackendDescription } from "../backend.js";
import { Admission } from "./admission.js";
import type { PoolConfig, PoolLimits } from "./config.js";

/** One named pool: its backends, used round-robin, and the admission of its starts. */
export class Pool {
  readonly admission: Admission;
  /** Creates refused because the pool held maxContainers. */
  createsRejected = 0;
  private next = 0;

  constructor(
    private current: PoolConfig,
    readonly instances: Backend[],
  ) {
    this.admission = new Admission(current.name, current);
  }

  get name(): string {
    return this.current.name;
  }

  get config(): PoolConfig {
    return this.current;
  }

  /** The instance for a container new to this daemon run. */
  pickInstance(): number {
    const i = this.next;
    this.next = (this.next + 1) % this.instances.length;
    return i;
  }

  setLimits(limits: PoolLimits): void {
    this.current = { ...this.current, ...limits };
    this.admission.setLimits(this.current);
  }

  /** What the pool's containers see: their backend's capabilities, under the pool's name. */
  describe(): BackendDescription {
    const inner = this.instances[0].describe();
    return { ...inner, name: `pool ${this.name} (${inner.name})`, summary: `pool ${this.name}: ${inner.summary}` };
  }

  close(): Promise<unknown> {
    return Promise.all(this.instances.map((b) => b.close()));
  }
}
