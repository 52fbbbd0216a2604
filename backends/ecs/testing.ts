import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { ecsBackendOptions } from "../../conformance/aws/ecs-backend-options.js";
import { loadBusybox, startTestDaemonOn, type TestDaemon } from "../../frontend/testing.js";
import { startAwsSimulator, type AwsSimulator } from "../../simulators/aws/simulator.js";
import { createBackend } from "../registry.js";

/** The AWS simulator in-process and a test daemon on the ecs backend pointed at it, with the busybox test image loaded. */
export interface EcsTestbed {
  dir: string;
  sim: AwsSimulator;
  daemon: TestDaemon;
  /** The daemon's backend options, for another backend over the same simulator. */
  options: Record<string, string>;
  close(): Promise<void>;
}

export async function startEcsTestbed(): Promise<EcsTestbed> {
  const dir = mkdtempSync(join(tmpdir(), "ecs-backend-test-"));
  const sim = await startAwsSimulator({ port: 0, backend: (data) => createBackend("sandbox", {}, data), log: pino({ level: "silent" }), dataDir: join(dir, "sim") });
  // The backend takes its credentials from the standard provider chain.
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
  const options = await ecsBackendOptions(sim.endpoint, sim.region, 20);
  const daemon = await startTestDaemonOn("ecs", options);
  const loaded = await loadBusybox(daemon);
  if (loaded.status !== 200) throw new Error(`loading the busybox test image failed: ${loaded.body}`);
  return {
    dir,
    sim,
    daemon,
    options,
    async close() {
      await daemon.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
