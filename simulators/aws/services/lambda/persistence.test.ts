import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createBackend } from "../../../../backends/registry.js";
import { pushTestImage } from "../../../../conformance/aws/images.js";
import { buildLambdaRuntimeImage } from "../../../../conformance/aws/lambda/runtime-image.js";
import { startAwsSimulator, type AwsSimulator } from "../../simulator.js";

const dir = mkdtempSync(join(tmpdir(), "lambda-persist-"));
const running: AwsSimulator[] = [];

async function start(port = 0): Promise<{ sim: AwsSimulator; lambda: LambdaClient; config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } }> {
  const sim = await startAwsSimulator({ port, backend: (workloads) => createBackend("sandbox", {}, workloads), log: pino({ level: "silent" }), dataDir: join(dir, "data") });
  running.push(sim);
  const config = { endpoint: sim.endpoint, region: sim.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  return { sim, lambda: new LambdaClient(config), config };
}

afterAll(async () => {
  for (const sim of running) await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Lambda across a restart of the simulator", () => {
  it("keeps its functions, which run their pulled image again", async () => {
    const first = await start();
    const archive = join(dir, "runtime.tar");
    await buildLambdaRuntimeImage(archive);
    const imageUri = await pushTestImage(first.config, "kept", "v1", archive);
    const role = (await new IAMClient(first.config).send(new CreateRoleCommand({ RoleName: "kept", AssumeRolePolicyDocument: "{}" }))).Role!.Arn!;
    await first.lambda.send(new CreateFunctionCommand({ FunctionName: "kept", PackageType: "Image", Code: { ImageUri: imageUri }, Role: role, Timeout: 7 }));
    await waitUntilFunctionActiveV2({ client: first.lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: "kept" });
    const port = Number(new URL(first.sim.endpoint).port);
    await first.sim.close();
    running.pop();

    // ECR's image URIs name the simulator's port, so it comes back on the same one.
    const second = await start(port);
    const config = await second.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "kept" }));
    expect(config).toMatchObject({ State: "Active", Timeout: 7, LastUpdateStatus: "Successful" });
    const out = await second.lambda.send(new InvokeCommand({ FunctionName: "kept", Payload: Buffer.from('{"after":"restart"}') }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString()).received).toEqual({ after: "restart" });
  }, 120_000);
});
