import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Backend } from "../../backends/backend.js";
import { createServer } from "./server.js";
import type { AwsService, SimContext } from "./service.js";
import { createEcrService } from "./services/ecr/index.js";
import { createEcsService } from "./services/ecs/index.js";
import { createIamService } from "./services/iam/index.js";
import { createLambdaService, type LambdaOptions } from "./services/lambda/index.js";
import { createLogsService } from "./services/logs/index.js";
import { createStsService } from "./services/sts.js";
import { createSessionManager } from "./ssm/index.js";
import type { Credential } from "./sigv4.js";
import { migrateService, openSimState } from "./state.js";
import { Workloads } from "./workloads.js";

/** The documented defaults for local use: any SDK configured with these reaches the simulator. */
export const DEFAULT_ACCESS_KEY_ID = "test";
export const DEFAULT_SECRET_ACCESS_KEY = "test";
export const DEFAULT_ACCOUNT_ID = "123456789012";
export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_PORT = 4566;

export interface AwsSimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  region?: string;
  accountId?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string }[];
  /** State kept on disk here (surviving restarts); in memory when absent. */
  dataDir?: string;
  /**
   * Where task and function containers run: a backend created over the
   * workload host's directory, where its engine keeps the images (the sandbox
   * reads their layers from there).
   */
  backend: (dataDir: string) => Backend;
  log: Logger;
  /** Lambda's timings, shortened by tests. */
  lambda?: LambdaOptions;
}

export interface AwsSimulator {
  endpoint: string;
  region: string;
  accountId: string;
  close(): Promise<void>;
}

/** Starts the AWS simulator: every service on one endpoint, state in SQLite, workloads on the backend. */
export async function startAwsSimulator(options: AwsSimulatorOptions): Promise<AwsSimulator> {
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const keys = options.credentials ?? [{ accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY }];
  const credentials = new Map<string, Credential>(keys.map((k) => [k.accessKeyId, { ...k, accountId }]));
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const sqlite = openSimState(options.dataDir ? join(options.dataDir, "aws.db") : ":memory:");
  const filesDir = options.dataDir ? join(options.dataDir, "files") : mkdtempSync(join(tmpdir(), "sockerless-sim-files-"));
  mkdirSync(filesDir, { recursive: true });
  const workloads = new Workloads(options.backend, options.dataDir ? join(options.dataDir, "workloads") : undefined);
  const backend = workloads.engine.backend;

  const services: AwsService[] = [];
  const server = createServer({ services, credentials, log: options.log, health: () => health() });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? "127.0.0.1", () => (server.off("error", reject), resolve()));
  });
  const address = server.address() as AddressInfo;
  const endpoint = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  const ctx = { region, accountId, endpoint, sqlite, filesDir, log: options.log, workloads, migrate: (service: string, folder: string) => migrateService(sqlite, service, folder) } as SimContext;
  const iam = createIamService(ctx);
  ctx.roles = iam.roles;
  const logs = createLogsService(ctx);
  ctx.logs = logs.sink;
  const ecr = createEcrService(ctx);
  ctx.registry = ecr.registry;
  const ssm = createSessionManager(ctx);
  ctx.sessions = ssm.sessions;
  services.push(createStsService(), iam.service, logs.service, ecr.service, ssm.service, createEcsService(ctx), createLambdaService(ctx, options.lambda));

  const health = () => ({
    status: "running",
    endpoint,
    region,
    accountId,
    backend: backend.describe().name,
    persistent: options.dataDir !== undefined,
    services: Object.fromEntries(
      services.map((s) => [
        s.signingName,
        {
          operations: [...Object.keys(s.json?.operations ?? {}), ...Object.keys(s.query?.operations ?? {}), ...(s.rest ?? []).filter((op) => !op.path.endsWith("*")).map((op) => `${op.method} ${op.path}`)],
          ...s.health?.(),
        },
      ]),
    ),
  });

  return {
    endpoint,
    region,
    accountId,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const s of services) await s.close?.();
      await workloads.close();
      sqlite.close();
      if (!options.dataDir) rmSync(filesDir, { recursive: true, force: true });
    },
  };
}
