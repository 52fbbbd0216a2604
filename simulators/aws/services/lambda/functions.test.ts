import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListTagsCommand,
  ResourceConflictException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushTestImage } from "../../../../conformance/aws/images.js";
import { buildLambdaRuntimeImage } from "../../../../conformance/aws/lambda/runtime-image.js";
import { startSimTestbed, type SimTestbed } from "../../testbed.js";

let dir: string;
let bed: SimTestbed;
let lambda: LambdaClient;
let imageUri: string;
let imageUri2: string;
let role: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lambda-fn-test-"));
  bed = await startSimTestbed(dir, { lambda: { asyncRetryDelaysMs: [10, 10] } });
  const archive = join(dir, "runtime.tar");
  await buildLambdaRuntimeImage(archive);
  imageUri = await pushTestImage(bed.config, "fn", "v1", archive);
  imageUri2 = await pushTestImage(bed.config, "fn", "v2", archive);
  lambda = new LambdaClient(bed.config);
  const created = await new IAMClient(bed.config).send(new CreateRoleCommand({ RoleName: "fn-role", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
  role = created.Role!.Arn!;
}, 120_000);

afterAll(async () => {
  await bed?.close();
  rmSync(dir, { recursive: true, force: true });
});

const create = (name: string, extra: Record<string, unknown> = {}) =>
  lambda.send(new CreateFunctionCommand({ FunctionName: name, PackageType: "Image", Code: { ImageUri: imageUri }, Role: role, ...extra }));
const waiter = { client: () => lambda, maxWaitTime: 60, minDelay: 1 };
const decode = (b?: Uint8Array) => Buffer.from(b ?? []).toString("utf8");

async function failure(p: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail");
}

describe("Lambda function management", () => {
  it("refuses Zip packages, unknown or malformed roles and out-of-range settings", async () => {
    let e = await failure(lambda.send(new CreateFunctionCommand({ FunctionName: "zip", Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: Buffer.from("PK") }, Role: role })));
    expect(e).toBeInstanceOf(InvalidParameterValueException);
    expect(e.message).toMatch(/Zip packages are not/);
    e = await failure(create("no-role", { Role: "arn:aws:iam::123456789012:role/nobody" }));
    expect(e).toBeInstanceOf(InvalidParameterValueException);
    expect(e.message).toBe("The role defined for the function cannot be assumed by Lambda.");
    e = await failure(create("bad-role", { Role: "not-an-arn" }));
    expect(e.name).toBe("ValidationException");
    e = await failure(create("slow", { Timeout: 901 }));
    expect(e.name).toBe("ValidationException");
    expect(e.message).toBe("1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900");
    e = await failure(create("tiny", { MemorySize: 64 }));
    expect(e.message).toMatch(/at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128/);
    e = await failure(create("elsewhere", { Code: { ImageUri: "docker.io/library/busybox:latest" } }));
    expect(e).toBeInstanceOf(InvalidParameterValueException);
    expect(e.message).toBe("Source image docker.io/library/busybox:latest is not valid. Provide a valid source image.");
    e = await failure(create("reserved", { Environment: { Variables: { AWS_REGION: "x" } } }));
    expect(e).toBeInstanceOf(InvalidParameterValueException);
    expect(e.message).toMatch(/Reserved keys used in this request: AWS_REGION/);
  });

  it("creates a function once, with Lambda's defaults", async () => {
    const fn = await create("managed", { Tags: { team: "a" } });
    expect(fn).toMatchObject({ FunctionName: "managed", Timeout: 3, MemorySize: 128, PackageType: "Image", State: "Pending", LastUpdateStatus: "InProgress", StateReasonCode: "Creating", Version: "$LATEST" });
    const e = await failure(create("managed"));
    expect(e).toBeInstanceOf(ResourceConflictException);
    expect(e.$metadata.httpStatusCode).toBe(409);
    expect(e.message).toBe("Function already exist: managed");
    await waitUntilFunctionActiveV2({ ...waiter, client: lambda }, { FunctionName: "managed" });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:managed" }));
    expect(got.Tags).toEqual({ team: "a" });
    expect(got.Configuration?.CodeSha256).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it("tags a function, lists and removes its tags", async () => {
    const arn = "arn:aws:lambda:us-east-1:123456789012:function:managed";
    await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { env: "test", team: "b" } }));
    expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ team: "b", env: "test" });
    await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["team"] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ env: "test" });
    const e = await failure(lambda.send(new ListTagsCommand({ Resource: "arn:aws:lambda:us-east-1:123456789012:function:nobody" })));
    expect(e.name).toBe("ResourceNotFoundException");
  });

  it("updates the configuration, which the next invocation runs with", async () => {
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "managed", Timeout: 10, Environment: { Variables: { GREETING: "hello" } } }));
    expect(updated.Timeout).toBe(10);
    await waitUntilFunctionUpdatedV2({ ...waiter, client: lambda }, { FunctionName: "managed" });
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "managed" }));
    expect(config.Environment?.Variables).toEqual({ GREETING: "hello" });
    const out = await lambda.send(new InvokeCommand({ FunctionName: "managed", Payload: Buffer.from("{}") }));
    expect(JSON.parse(decode(out.Payload)).greeting).toBe("hello");
  }, 60_000);

  it("updates the code to another image", async () => {
    const before = await lambda.send(new GetFunctionCommand({ FunctionName: "managed" }));
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "managed", ImageUri: imageUri2 }));
    expect(updated.LastUpdateStatus).toBe("InProgress");
    await waitUntilFunctionUpdatedV2({ ...waiter, client: lambda }, { FunctionName: "managed" });
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: "managed" }));
    expect(after.Code?.ImageUri).toBe(imageUri2);
    expect(after.Configuration?.RevisionId).not.toBe(before.Configuration?.RevisionId);
    const out = await lambda.send(new InvokeCommand({ FunctionName: "managed", Payload: Buffer.from('{"v":2}') }));
    expect(JSON.parse(decode(out.Payload)).received).toEqual({ v: 2 });
  }, 60_000);

  it("fails a function whose image does not exist, and refuses to invoke it", async () => {
    await create("missing", { Code: { ImageUri: imageUri.replace(/:v1$/, ":nope") } });
    await expect(waitUntilFunctionActiveV2({ ...waiter, client: lambda }, { FunctionName: "missing" })).rejects.toThrow();
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "missing" }));
    expect(config).toMatchObject({ State: "Failed", StateReasonCode: "ImageDeleted", LastUpdateStatus: "Failed" });
    const e = await failure(lambda.send(new InvokeCommand({ FunctionName: "missing" })));
    expect(e).toBeInstanceOf(ResourceConflictException);
    expect(e.message).toBe("The operation cannot be performed at this time. The function is currently in the following state: Failed");
  }, 60_000);

  it("makes a Failed function Active by updating its code to an image that exists", async () => {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "missing", ImageUri: imageUri }));
    await waitUntilFunctionUpdatedV2({ ...waiter, client: lambda }, { FunctionName: "missing" });
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "missing" }));
    expect(config).toMatchObject({ State: "Active", LastUpdateStatus: "Successful" });
    expect(config.StateReasonCode).toBeUndefined();
  }, 60_000);

  it("lists functions a page at a time", async () => {
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    expect(first.Functions?.map((f) => f.FunctionName)).toEqual(["managed"]);
    expect(first.NextMarker).toBeTruthy();
    const second = await lambda.send(new ListFunctionsCommand({ MaxItems: 1, Marker: first.NextMarker }));
    expect(second.Functions?.map((f) => f.FunctionName)).toEqual(["missing"]);
    expect(second.NextMarker).toBeUndefined();
  });
});
