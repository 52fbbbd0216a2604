import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECRClient } from "@aws-sdk/client-ecr";
import pino from "pino";
import { registryLogin } from "../../../../conformance/aws/images.js";
import { createServer } from "../../server.js";
import type { SimContext } from "../../service.js";
import { migrateService, openSimState } from "../../state.js";
import { createEcrService } from "./index.js";

export interface EcrTestbed {
  endpoint: string;
  ecr: ECRClient;
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** host:port of the registry. */
  host: string;
  ctx: SimContext;
  registry: ReturnType<typeof createEcrService>["registry"];
  /** fetch against the registry with a Basic header of a fresh password. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The simulator's front with ECR alone on a free loopback port, for the ECR
 * tests. The port is bound first because ECR's URIs name it.
 */
export async function startEcrTestbed(options: { dataDir?: string } = {}): Promise<EcrTestbed> {
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), "ecr-test-"));
  let inner: http.Server | undefined;
  const outer = http.createServer((req, res) => inner!.emit("request", req, res));
  await new Promise<void>((resolve) => outer.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(outer.address() as AddressInfo).port}`;
  // With a data directory, state lasts across testbeds, as under --data.
  const sqlite = openSimState(options.dataDir ? join(dir, "aws.db") : ":memory:");
  const log = pino({ level: "silent" });
  const ctx = { region: "us-east-1", accountId: "123456789012", endpoint, sqlite, filesDir: dir, log, migrate: (s: string, f: string) => migrateService(sqlite, s, f) } as SimContext;
  const ecrService = createEcrService(ctx);
  ctx.registry = ecrService.registry;
  const credentials = new Map([["test", { accessKeyId: "test", secretAccessKey: "test", accountId: ctx.accountId }]]);
  inner = createServer({ services: [ecrService.service], credentials, log, health: () => ({}) });
  const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const ecr = new ECRClient(config);
  let header: string | undefined;
  return {
    endpoint,
    ecr,
    config,
    host: new URL(endpoint).host,
    ctx,
    registry: ecrService.registry,
    async fetch(path, init = {}) {
      if (!header) {
        const { username, password } = await registryLogin(ecr);
        header = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
      }
      return fetch(`${endpoint}${path}`, { ...init, headers: { Authorization: header, ...(init.headers as Record<string, string>) } });
    },
    async close() {
      ecr.destroy();
      outer.closeAllConnections();
      await new Promise<void>((resolve) => outer.close(() => resolve()));
      sqlite.close();
      if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
