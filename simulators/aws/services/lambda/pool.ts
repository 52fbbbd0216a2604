import { AwsError } from "../../errors.js";
import type { SimContext } from "../../service.js";
import { FunctionInstance, instanceRevision, type InvocationOutcome, type InvocationRequest } from "./instance.js";
import type { LambdaFunction } from "./store.js";

/** Invocations running at once, across functions, before synchronous calls are throttled. */
const MAX_CONCURRENCY = 16;
/** How long an idle instance stays warm. */
const IDLE_MS = 5 * 60_000;

/**
 * The warm instances of every function: an invocation takes an idle instance
 * of the function's current revision or starts a new one; instances of older
 * revisions and those idle too long are ended.
 */
export class InstancePool {
  private readonly byFunction = new Map<string, FunctionInstance[]>();
  private running = 0;
  private closed = false;
  private readonly waiting: (() => void)[] = [];
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly ctx: SimContext,
    /** What the function's instances should run now (instanceRevision), undefined once it is deleted. */
    private readonly currentRevision: (name: string) => string | undefined,
  ) {
    this.reaper = setInterval(() => this.reap(), 30_000);
    this.reaper.unref();
  }

  /** Runs one invocation. Synchronous calls over the concurrency limit are throttled; asynchronous ones wait their turn. */
  async invoke(fn: LambdaFunction, image: { cmd: string[] }, request: InvocationRequest, wait: boolean): Promise<InvocationOutcome> {
    if (this.running < MAX_CONCURRENCY) this.running++;
    else if (!wait) throw new AwsError("TooManyRequestsException", "Rate Exceeded.", 429, "Sender", { Reason: "ConcurrentInvocationLimitExceeded" });
    // A finishing invocation hands its slot over.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      for (;;) {
        if (this.closed) throw new AwsError("ServiceException", "The simulator is shutting down.", 500);
        const outcome = await this.instanceFor(fn, image).invoke(request);
        if (!outcome.undelivered) return outcome;
      }
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private instanceFor(fn: LambdaFunction, image: { cmd: string[] }): FunctionInstance {
    const list = this.byFunction.get(fn.name) ?? [];
    this.byFunction.set(fn.name, list);
    const revision = instanceRevision(fn);
    for (const i of list) if (i.state === "idle" && i.revision !== revision) void i.destroy();
    const idle = list.find((i) => i.state === "idle" && i.revision === revision);
    if (idle) return idle;
    const instance = new FunctionInstance(this.ctx, fn, image, (gone) => {
      const remaining = (this.byFunction.get(fn.name) ?? []).filter((i) => i !== gone);
      if (remaining.length) this.byFunction.set(fn.name, remaining);
      else this.byFunction.delete(fn.name);
    });
    list.push(instance);
    return instance;
  }

  /** Ends a function's idle instances, after an update or its deletion; busy ones end after their invocation. */
  retire(name: string): void {
    for (const i of this.byFunction.get(name) ?? []) if (i.state === "idle" || i.state === "starting") void i.destroy();
  }

  private reap(): void {
    const now = Date.now();
    for (const [name, list] of this.byFunction) {
      const revision = this.currentRevision(name);
      for (const i of list) if (i.state === "idle" && (now - i.lastUsed > IDLE_MS || i.revision !== revision)) void i.destroy();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all([...this.byFunction.values()].flat().map((i) => i.destroy()));
  }
}
