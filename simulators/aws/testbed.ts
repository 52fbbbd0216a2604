import { join } from "node:path";
import pino from "pino";
import { createBackend } from "../../backends/registry.js";
import type { LambdaOptions } from "./services/lambda/index.js";
import { startAwsSimulator } from "./simulator.js";

export interface SimTestbed {
  endpoint: string;
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  close(): Promise<void>;
}

/**
 * The whole simulator on a loopback port, workloads on the sandbox, with its
 * state under `dir`, so a second start on the same directory is a restart.
 */
export async function startSimTestbed(dir: string, options: { lambda?: LambdaOptions } = {}): Promise<SimTestbed> {
  const sim = await startAwsSimulator({ port: 0, backend: (workloads) => createBackend("sandbox", {}, workloads), log: pino({ level: "silent" }), dataDir: join(dir, "data"), ...options });
  return {
    endpoint: sim.endpoint,
    config: { endpoint: sim.endpoint, region: sim.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } },
    close: () => sim.close(),
  };
}
