import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "../../backends/registry.js";
import { startAwsSimulator, type AwsSimulator } from "./simulator.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

async function start(dataDir?: string): Promise<{ sim: AwsSimulator; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "sim-test-"));
  const sim = await startAwsSimulator({ port: 0, backend: (workloads) => createBackend("sandbox", {}, workloads), log: pino({ level: "silent" }), dataDir });
  return { sim, dir };
}

/** An STS client whose request is changed before it is signed, so the server sees a well-signed odd request. */
function stsWith(endpoint: string, change: (request: { headers: Record<string, string>; body: unknown }) => void): STSClient {
  const client = new STSClient({ endpoint, region: "us-east-1", credentials });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string>; body: unknown };
      change(request);
      request.headers["content-length"] = String(Buffer.byteLength(String(request.body)));
      return next(args);
    },
    { step: "build" },
  );
  return client;
}

describe("the AWS simulator's front", () => {
  let sim: AwsSimulator;
  let dir: string;
  beforeAll(async () => ({ sim, dir } = await start()));
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports what it serves at /_sockerless/health", async () => {
    const health = (await (await fetch(`${sim.endpoint}/_sockerless/health`)).json()) as { services: Record<string, { operations: string[] }> };
    expect(health.services.sts.operations).toContain("GetCallerIdentity");
    expect(Object.keys(health.services)).toEqual(expect.arrayContaining(["sts", "iam", "logs", "ecr", "ecs", "lambda"]));
  });

  it("answers GetCallerIdentity for the signing account, and SignatureDoesNotMatch for a wrong secret", async () => {
    const sts = new STSClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
    expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:root" });
    const wrong = new STSClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { ...credentials, secretAccessKey: "wrong" } });
    await expect(wrong.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "SignatureDoesNotMatch", $metadata: { httpStatusCode: 403 } });
  });

  it("refuses an unsigned JSON request with MissingAuthenticationTokenException in the JSON shape", async () => {
    const res = await fetch(`${sim.endpoint}/`, { method: "POST", headers: { "X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1" }, body: "{}" });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({ __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" });
  });

  it("names a signed request's bad JSON, an unknown operation and an unknown action", async () => {
    const badJson = stsWith(sim.endpoint, (r) => {
      r.headers["x-amz-target"] = "Logs_20140328.DescribeLogGroups";
      r.headers["content-type"] = "application/x-amz-json-1.1";
      r.body = "{not json";
    });
    await expect(badJson.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    const res = await fetch(`${sim.endpoint}/`, { method: "POST", headers: { "X-Amz-Target": "NoSuchService.Op" } });
    expect(res.status).toBe(400);
    const unknownAction = stsWith(sim.endpoint, (r) => (r.body = "Action=AssumeRoot&Version=2011-06-15"));
    await expect(unknownAction.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "InvalidAction" });
  });

  it("answers 404 for a path no service serves", async () => {
    expect((await fetch(`${sim.endpoint}/nothing/here`)).status).toBe(404);
  });
});

describe("the AWS simulator's state", () => {
  it("keeps resources across a restart on the same --data directory", async () => {
    const data = mkdtempSync(join(tmpdir(), "sim-data-"));
    try {
      const first = await start(data);
      const iam = (endpoint: string) => new IAMClient({ endpoint, region: "us-east-1", credentials });
      await iam(first.sim.endpoint).send(new CreateRoleCommand({ RoleName: "kept", AssumeRolePolicyDocument: "{}" }));
      await first.sim.close();
      rmSync(first.dir, { recursive: true, force: true });
      const second = await start(data);
      const role = await iam(second.sim.endpoint).send(new GetRoleCommand({ RoleName: "kept" }));
      expect(role.Role?.Arn).toBe("arn:aws:iam::123456789012:role/kept");
      await second.sim.close();
      rmSync(second.dir, { recursive: true, force: true });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it("fails loudly when its database cannot be opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-test-"));
    const notADirectory = join(dir, "file");
    writeFileSync(notADirectory, "");
    try {
      await expect(startAwsSimulator({ port: 0, backend: (workloads) => createBackend("sandbox", {}, workloads), log: pino({ level: "silent" }), dataDir: join(notADirectory, "data") })).rejects.toThrow(/ENOTDIR/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
