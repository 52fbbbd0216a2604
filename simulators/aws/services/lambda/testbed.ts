import { mkdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { createBackend } from "../../../../backends/registry.js";
import { createServer } from "../../server.js";
import type { AwsService, SimContext } from "../../service.js";
import { migrateService, openSimState } from "../../state.js";
import { Workloads } from "../../workloads.js";
import { createEcrService } from "../ecr/index.js";
import { createIamService } from "../iam/index.js";
import { createLogsService } from "../logs/index.js";
import { createLambdaService } from "./index.js";

export interface LambdaTestbed {
  endpoint: string;
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  close(): Promise<void>;
}

const credentials = new Map([["test", { accessKeyId: "test", secretAccessKey: "test", accountId: "123456789012" }]]);

/**
 * Lambda with IAM, CloudWatch Logs and ECR on one loopback port, assembled
 * as startAwsSimulator does but with every service in place before the
 * server indexes them, and with the workload engine and the sandbox sharing
 * one directory (the sandbox reads image layers from its own). Failed
 * asynchronous invocations are retried after 10 ms instead of minutes.
 */
export async function startLambdaTestbed(dir: string): Promise<LambdaTestbed> {
  mkdirSync(join(dir, "workloads"), { recursive: true });
  mkdirSync(join(dir, "files"), { recursive: true });
  let inner: http.Server | undefined;
  const outer = http.createServer((req, res) => inner!.emit("request", req, res));
  await new Promise<void>((resolve) => outer.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(outer.address() as AddressInfo).port}`;
  const sqlite = openSimState(":memory:");
  const workloads = new Workloads((workloads) => createBackend("sandbox", {}, workloads), join(dir, "workloads"));
  const log = pino({ level: "silent" });
  const ctx = { region: "us-east-1", accountId: "123456789012", endpoint, sqlite, filesDir: join(dir, "files"), log, workloads, migrate: (s: string, f: string) => migrateService(sqlite, s, f) } as SimContext;
  const iam = createIamService(ctx);
  ctx.roles = iam.roles;
  const logs = createLogsService(ctx);
  ctx.logs = logs.sink;
  const ecr = createEcrService(ctx);
  ctx.registry = ecr.registry;
  const services: AwsService[] = [iam.service, logs.service, ecr.service, createLambdaService(ctx, { asyncRetryDelaysMs: [10, 10] })];
  inner = createServer({ services, credentials, log, health: () => ({}) });
  return {
    endpoint,
    config: { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } },
    async close() {
      await new Promise<void>((resolve) => {
        outer.close(() => resolve());
        outer.closeAllConnections();
      });
      for (const s of services) await s.close?.();
      await workloads.close();
      sqlite.close();
    },
  };
}
