import type { SimContext } from "../../service.js";
import { ImageFailure, pullFunctionImage } from "./images.js";
import type { FunctionStore, LambdaFunction } from "./store.js";

/**
 * Makes a function's image ready: a new function goes from Pending to Active
 * (or Failed) and an update from InProgress to Successful (or Failed) once
 * its image is pulled onto the workload host.
 */
export class FunctionLifecycle {
  private readonly pulls = new Set<Promise<void>>();

  constructor(
    private readonly ctx: SimContext,
    private readonly store: FunctionStore,
  ) {}

  /** Starts pulling the function's image as it is now; a function not yet Active becomes Active or Failed with it. */
  prepare(fn: LambdaFunction): void {
    const settlesState = fn.state !== "Active";
    const { name, imageUri, revisionId } = fn;
    const pull = pullFunctionImage(this.ctx, imageUri).then(
      (image) => this.settle(name, revisionId, { ...image, ...(settlesState ? { state: "Active", stateReason: "", stateReasonCode: "" } : {}), lastUpdateStatus: "Successful", lastUpdateStatusReason: "", lastUpdateStatusReasonCode: "" }),
      (err: unknown) => {
        const failure = err instanceof ImageFailure ? err : new ImageFailure("InvalidImage", err instanceof Error ? err.message : String(err));
        if (!(err instanceof ImageFailure)) this.ctx.log.error({ err, function: name }, "a Lambda function's image could not be prepared");
        this.settle(name, revisionId, {
          ...(settlesState ? { state: "Failed", stateReason: failure.message, stateReasonCode: failure.code } : {}),
          lastUpdateStatus: "Failed",
          lastUpdateStatusReason: failure.message,
          lastUpdateStatusReasonCode: failure.code,
        });
      },
    );
    this.pulls.add(pull);
    void pull.finally(() => this.pulls.delete(pull));
  }

  /** Records the outcome unless the function was deleted or changed again meanwhile. */
  private settle(name: string, revisionId: string, change: Partial<LambdaFunction>): void {
    const now = this.store.find(name);
    if (!now || now.revisionId !== revisionId) return;
    this.store.update(name, change);
  }

  /** The image's own CMD, which names the handler when ImageConfig.Command does not. */
  imageCommand(fn: LambdaFunction): string[] {
    return this.ctx.workloads.engine.images.resolve(fn.imageId).config.config?.Cmd ?? [];
  }

  /** Functions left Pending or InProgress by a restart are prepared again. */
  resume(): void {
    for (const fn of this.store.list()) if (fn.state === "Pending" || fn.lastUpdateStatus === "InProgress") this.prepare(fn);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pulls]);
  }
}
