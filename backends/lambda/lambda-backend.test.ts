import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetFunctionCommand, LambdaClient, ListTagsCommand, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLambdaRuntimeImage, LAMBDA_RUNTIME_IMAGE } from "../../conformance/aws/lambda/runtime-image.js";
import { attachOutput, containerCalls, demux, startTestDaemonOn, type TestDaemon } from "../../frontend/testing.js";
import { startAwsSimulator, type AwsSimulator } from "../../simulators/aws/simulator.js";
import { createBackend } from "../registry.js";

let dir: string;
let sim: AwsSimulator;
let d: TestDaemon;
let lambda: LambdaClient;
const json = { "Content-Type": "application/json" };
const functionOf = (id: string) => `sockerless-${id.slice(0, 12)}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lambda-backend-test-"));
  sim = await startAwsSimulator({ port: 0, backend: (data) => createBackend("sandbox", {}, data), log: pino({ level: "silent" }), dataDir: join(dir, "sim") });
  // The backend takes its credentials from the standard provider chain.
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
  const config = { endpoint: sim.endpoint, region: sim.region };
  lambda = new LambdaClient(config);
  const iam = new IAMClient(config);
  await iam.send(new CreateRoleCommand({ RoleName: "lambda-exec", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
  iam.destroy();
  d = await startTestDaemonOn("lambda", { region: sim.region, endpoint: sim.endpoint, role: "arn:aws:iam::123456789012:role/lambda-exec", pollMs: "20" });
  const archive = join(dir, "runtime.tar");
  await buildLambdaRuntimeImage(archive);
  expect((await d.request("POST", "/images/load", readFileSync(archive), { "Content-Type": "application/x-tar" })).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await d?.close();
  lambda?.destroy();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const { create, start, waitFor, logs, inspect } = containerCalls(() => d, LAMBDA_RUNTIME_IMAGE);

async function functionExists(name: string): Promise<boolean> {
  try {
    await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    return true;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return false;
    throw err;
  }
}


describe("the lambda backend", () => {
  it("answers docker run --rm IMG as the CLI asks it: the function's result as stdout, its log as stderr, exit 0, and the function deleted", async () => {
    const id = await create({ AttachStdout: true, AttachStderr: true, HostConfig: { AutoRemove: true } });
    const name = functionOf(id);
    const session = attachOutput(d.socket, id);
    await session.attached;
    const removed = d.request("POST", `/containers/${id}/wait?condition=removed`);
    await start(id);
    const [stdout, stderr] = demux(await session.output);
    expect(JSON.parse(stdout)).toEqual({ received: {}, function: name, greeting: "" });
    expect(stderr).toMatch(new RegExp(`^START RequestId: \\S+ Version: \\$LATEST\\nhandling an event for ${name}\\nEND RequestId: \\S+\\nREPORT RequestId: `, "m"));
    expect((await removed).json().StatusCode).toBe(0);
    expect(await functionExists(name)).toBe(false);
    const logs = new CloudWatchLogsClient({ endpoint: sim.endpoint, region: sim.region });
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/aws/lambda/${name}` }));
    logs.destroy();
    expect(groups.logGroups).toEqual([]);
  });

  it("creates the function once with the container's environment, labels and memory, invokes it once a start, and replaces it when its memory limit changes", async () => {
    const id = await create({ Env: ["GREETING=hello"], Labels: { team: "blue" } });
    const name = functionOf(id);
    await start(id);
    expect(await waitFor(id)).toBe(0);
    await start(id);
    expect(await waitFor(id)).toBe(0);
    const [stdout, stderr] = await logs(id);
    expect(stdout).toBe(`{"received":{},"function":"${name}","greeting":"hello"}`.repeat(2));
    expect(stderr.match(/^REPORT RequestId: /gm)).toHaveLength(2);
    expect(stderr.match(/^handling an event/gm)).toHaveLength(2);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(fn.Configuration).toMatchObject({ PackageType: "Image", MemorySize: 128, Timeout: 900, Environment: { Variables: { GREETING: "hello" } } });
    expect(fn.Configuration?.ImageConfigResponse?.ImageConfig).toEqual({ EntryPoint: ["/var/runtime/bootstrap"], Command: ["function.handler"], WorkingDirectory: "/var/task" });
    const tags = await lambda.send(new ListTagsCommand({ Resource: fn.Configuration!.FunctionArn! }));
    expect(tags.Tags).toEqual({ "sockerless-container": id, team: "blue" });
    // A new memory limit needs a new function.
    expect((await d.request("POST", `/containers/${id}/update`, JSON.stringify({ Memory: 256 * 1024 * 1024 }), json)).status).toBe(200);
    await start(id);
    expect(await waitFor(id)).toBe(0);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration?.MemorySize).toBe(256);
    expect((await logs(id))[0]).toBe(`{"received":{},"function":"${name}","greeting":"hello"}`.repeat(3));
    expect((await d.request("DELETE", `/containers/${id}`)).status).toBe(204);
    expect(await functionExists(name)).toBe(false);
  });

  it("exits 1 with Lambda's error when the function fails", async () => {
    const id = await create({ Cmd: ["missing.handler"] });
    await start(id);
    expect(await waitFor(id)).toBe(1);
    const state = (await inspect(id)).State;
    expect(state).toMatchObject({ Status: "exited", ExitCode: 1 });
    expect(state.Error).toMatch(/^Runtime\.ExitError: RequestId: \S+ Error: Runtime exited with error: exit status/);
    const [stdout, stderr] = await logs(id);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/missing\.sh/);
    expect(stderr).toMatch(/"errorType":"Runtime.ExitError"/);
    expect((await d.request("DELETE", `/containers/${id}`)).status).toBe(204);
  });

  it("answers 501 naming Lambda for exec, signals, files and pause", async () => {
    // A runtime that takes its time: the invocation runs while the requests are made.
    const id = await create({ Entrypoint: ["sh"], Cmd: ["-c", "sleep 4"] });
    await start(id);
    const exec = await d.request("POST", `/containers/${id}/exec`, JSON.stringify({ Cmd: ["true"], AttachStdout: true }), json);
    expect(exec.status).toBe(501);
    expect(exec.json().message).toMatch(/exec is not supported by the lambda backend/);
    const stop = await d.request("POST", `/containers/${id}/stop?t=1`);
    expect(stop.status).toBe(501);
    expect(stop.json().message).toMatch(/lambda backend cannot signal a function/);
    const pause = await d.request("POST", `/containers/${id}/pause`);
    expect(pause.status).toBe(501);
    expect(pause.json().message).toMatch(/pause is not supported by the lambda backend/);
    const archive = await d.request("GET", `/containers/${id}/archive?path=/etc`);
    expect(archive.status).toBe(501);
    expect(archive.json().message).toMatch(/not supported by the lambda backend/);
    // A process that is no runtime never answers the event.
    expect(await waitFor(id)).toBe(1);
    expect((await inspect(id)).State.Error).toMatch(/^Runtime\.ExitError: .*Runtime exited without providing a reason/);
    const refused = await create({ Cmd: ["function.handler"], Tty: true });
    const started = await d.request("POST", `/containers/${refused}/start`);
    expect(started.status).toBe(501);
    expect(started.json().message).toMatch(/lambda backend cannot give a function a terminal/);
    const checked = await create({ Cmd: ["function.handler"], Healthcheck: { Test: ["CMD", "true"] } });
    const unchecked = await d.request("POST", `/containers/${checked}/start`);
    expect(unchecked.status).toBe(501);
    expect(unchecked.json().message).toMatch(/health checks are not supported by the lambda backend/);
    const grouped = await create({ Cmd: ["function.handler"], HostConfig: { GroupAdd: ["audio"] } });
    const ungrouped = await d.request("POST", `/containers/${grouped}/start`);
    expect(ungrouped.status).toBe(501);
    expect(ungrouped.json().message).toMatch(/supplementary groups \(--group-add\) are not supported by the lambda backend/);
  });

  it("lists what it cannot do in docker version", async () => {
    const component = (await d.request("GET", "/version")).json().Components.find((c: { Name: string }) => c.Name === "backend lambda");
    expect(component.Details.Unsupported.split(",")).toEqual(expect.arrayContaining(["exec", "attach", "archive", "pause", "mounts", "signals", "stderr", "top", "stats"]));
  });
});
