import { join } from "node:path";
import { packageRoot } from "../../../../engine/package-info.js";
import type { AwsService, LogSink, SimContext } from "../../service.js";
import type { LogsApi } from "./api.js";
import { eventOperations } from "./events.js";
import { filterOperations } from "./filter.js";
import { groupOperations } from "./groups.js";
import { Arns } from "./names.js";
import { createLogSink } from "./sink.js";
import { LogStore } from "./store.js";
import { streamOperations } from "./streams.js";

const migrations = join(packageRoot, "simulators", "aws", "services", "logs", "migrations");

/** CloudWatch Logs (JSON 1.1, Logs_20140328): log groups, streams and events, and the sink other services write through. */
export function createLogsService(ctx: Pick<SimContext, "sqlite" | "migrate" | "region" | "accountId">): { service: AwsService; sink: LogSink } {
  ctx.migrate("logs", migrations);
  const api: LogsApi = { store: new LogStore(ctx.sqlite), arns: new Arns(ctx.region, ctx.accountId) };
  return {
    service: {
      signingName: "logs",
      json: {
        targetPrefix: "Logs_20140328",
        version: "1.1",
        operations: { ...groupOperations(api), ...streamOperations(api), ...eventOperations(api), ...filterOperations(api) },
      },
    },
    sink: createLogSink(api.store),
  };
}
