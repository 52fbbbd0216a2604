import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { createBackend } from "../../../../backends/registry.js";
import { createServer } from "../../server.js";
import type { AwsService, SimContext } from "../../service.js";
import { createSessionManager } from "../../ssm/index.js";
import { migrateService, openSimState } from "../../state.js";
import { Workloads } from "../../workloads.js";
import { createEcrService } from "../ecr/index.js";
import { createIamService } from "../iam/index.js";
import { createLogsService } from "../logs/index.js";
import { createEcsService } from "./index.js";

export interface EcsTestbed {
  endpoint: string;
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  close(): Promise<void>;
}

/**
 * ECS with IAM, CloudWatch Logs, ECR and Session Manager on one loopback
 * port, as startAwsSimulator assembles them, but with the services in place
 * before the server indexes its JSON targets and routes (startAwsSimulator's
 * server does so when it is created, before any service is added), and with
 * the workload engine and the sandbox sharing one directory, as the sandbox
 * reads image layers from its own.
 */
export async function startEcsTestbed(dir: string, persistent = false): Promise<EcsTestbed> {
  mkdirSync(dir, { recursive: true });
  const sqlite = openSimState(persistent ? join(dir, "aws.db") : ":memory:");
  const filesDir = join(dir, "files");
  mkdirSync(filesDir, { recursive: true });
  // The sandbox reads image layers from its own directory, so the workload engine must keep them there.
  mkdirSync(join(dir, "workloads"), { recursive: true });
  const backend = createBackend("sandbox", {}, join(dir, "workloads"));
  const workloads = new Workloads(backend, join(dir, "workloads"));
  const log = pino({ level: "silent" });
  const services: AwsService[] = [];
  const server = createServer({ services, credentials: new Map([["test", { accessKeyId: "test", secretAccessKey: "test", accountId: "123456789012" }]]), log, health: () => ({}) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctx = { region: "us-east-1", accountId: "123456789012", endpoint, sqlite, filesDir, log, workloads, migrate: (s: string, f: string) => migrateService(sqlite, s, f) } as SimContext;
  const iam = createIamService(ctx);
  ctx.roles = iam.roles;
  const logs = createLogsService(ctx);
  ctx.logs = logs.sink;
  const ecr = createEcrService(ctx);
  ctx.registry = ecr.registry;
  const ssm = createSessionManager(ctx);
  ctx.sessions = ssm.sessions;
  const ecs = createEcsService(ctx);
  services.push(iam.service, logs.service, ecr.service, ssm.service, ecs);
  const inner = createServer({ services, credentials: new Map([["test", { accessKeyId: "test", secretAccessKey: "test", accountId: "123456789012" }]]), log, health: () => ({}) });
  server.removeAllListeners("request");
  server.removeAllListeners("upgrade");
  server.on("request", (req, res) => inner.emit("request", req, res));
  server.on("upgrade", (req, socket, head) => inner.emit("upgrade", req, socket, head));
  return {
    endpoint,
    config: { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const s of services) await s.close?.();
      await workloads.close();
      sqlite.close();
    },
  };
}
