import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "../../../../backends/registry.js";
import { pushTestImage } from "../../../../conformance/aws/images.js";
import { Workloads } from "../../workloads.js";
import { startEcrTestbed, type EcrTestbed } from "./testing.js";

describe("ECR for the workload host", () => {
  let t: EcrTestbed;
  let dir: string;
  let workloads: Workloads;
  beforeAll(async () => {
    t = await startEcrTestbed();
    dir = mkdtempSync(join(tmpdir(), "ecr-workloads-"));
    workloads = new Workloads((dataDir) => createBackend("sandbox", {}, dataDir), dir);
  });
  afterAll(async () => {
    await workloads.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("pulls an image named by the account's ECR host from the simulator's registry and runs it", async () => {
    await pushTestImage(t.config, "tasks/hello", "v1");
    const reference = "123456789012.dkr.ecr.us-east-1.amazonaws.com/tasks/hello:v1";
    expect(t.registry.owns(reference)).toBe(true);
    const local = t.registry.localReference(reference);
    expect(local).toBe(`${t.host}/tasks/hello:v1`);
    await workloads.pull({ reference: local, auth: t.registry.pullCredentials() });
    let output = "";
    const workload = await workloads.run({ image: local, command: ["sh", "-c", "echo hello from ECR"] }, (_stream, data) => (output += data.toString()));
    expect((await workload.exited).exitCode).toBe(0);
    expect(output).toBe("hello from ECR\n");
    await workload.remove();
  });

  it("fails a pull without its credentials as the registry refuses it", async () => {
    await expect(workloads.pull({ reference: `${t.host}/tasks/hello:v1`, auth: {} })).rejects.toThrow(/basic auth credentials|unauthorized|Not Authorized/i);
  });
});
