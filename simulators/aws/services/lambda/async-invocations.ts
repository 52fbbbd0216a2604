import type { LambdaParts } from "./api.js";
import type { InvocationRequest } from "./instance.js";

/** Lambda retries an asynchronous invocation that fails twice: after one minute, then after two. */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

/**
 * Event invocations: each runs in the background once an invocation slot is
 * free, and one that ends with a function error (its own, a timeout, a
 * runtime that exits) runs again, with the same request ID, after each delay.
 */
export class AsyncInvocations {
  private readonly waits = new Map<NodeJS.Timeout, (go: boolean) => void>();
  private closed = false;

  constructor(
    private readonly parts: LambdaParts,
    private readonly retryDelaysMs: number[] = ASYNC_RETRY_DELAYS_MS,
  ) {}

  start(name: string, request: InvocationRequest): void {
    this.run(name, request).catch((err: unknown) => this.parts.ctx.log.error({ err, function: name, requestId: request.requestId }, "an asynchronous Lambda invocation failed"));
  }

  private async run(name: string, request: InvocationRequest): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      // The function may have been deleted or changed while the event waited.
      const fn = this.parts.store.find(name);
      if (!fn || fn.state !== "Active" || this.closed) return;
      const outcome = await this.parts.pool.invoke(fn, { cmd: this.parts.lifecycle.imageCommand(fn) }, request, true);
      if (!outcome.functionError || attempt >= this.retryDelaysMs.length) return;
      if (!(await this.wait(this.retryDelaysMs[attempt]))) return;
    }
  }

  /** Resolves true after ms, or false when the service closes first. */
  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve(true);
      }, ms);
      this.waits.set(timer, resolve);
    });
  }

  close(): void {
    this.closed = true;
    for (const [timer, resolve] of this.waits) {
      clearTimeout(timer);
      resolve(false);
    }
    this.waits.clear();
  }
}
