import { join } from "node:path";
import { packageRoot } from "../../../../engine/package-info.js";
import type { AwsService, SimContext } from "../../service.js";
import { functionOperations, type LambdaParts } from "./api.js";
import { ASYNC_RETRY_DELAYS_MS, AsyncInvocations } from "./async-invocations.js";
import { instanceRevision } from "./instance.js";
import { invokeOperation } from "./invoke.js";
import { notServedOperations } from "./not-served.js";
import { FunctionLifecycle } from "./lifecycle.js";
import { InstancePool } from "./pool.js";
import { FunctionStore } from "./store.js";
import { tagOperations } from "./tags.js";

const migrations = join(packageRoot, "simulators", "aws", "services", "lambda", "migrations");

/** Lambda (REST-JSON) for container image functions, run on the workload host behind a Runtime API per instance. */
export interface LambdaOptions {
  /** The waits before an asynchronous invocation that failed runs again (Lambda's: one minute, then two). */
  asyncRetryDelaysMs?: number[];
}

export function createLambdaService(ctx: SimContext, options: LambdaOptions = {}): AwsService {
  ctx.migrate("lambda", migrations);
  const store = new FunctionStore(ctx.sqlite);
  const pool = new InstancePool(ctx, (name) => {
    const fn = store.find(name);
    return fn ? instanceRevision(fn) : undefined;
  });
  const lifecycle = new FunctionLifecycle(ctx, store);
  const parts: LambdaParts = { ctx, store, lifecycle, pool };
  const asyncInvocations = new AsyncInvocations(parts, options.asyncRetryDelaysMs ?? ASYNC_RETRY_DELAYS_MS);
  lifecycle.resume();
  return {
    signingName: "lambda",
    rest: [...functionOperations(parts), invokeOperation(parts, asyncInvocations), ...tagOperations(parts), ...notServedOperations()],
    health: () => ({ functions: store.list().length }),
    async close() {
      asyncInvocations.close();
      await lifecycle.close();
      await pool.close();
    },
  };
}
