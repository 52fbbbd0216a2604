import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { assert, assertEqual, Checks, expectError, startSimulator, waitFor } from "./harness.js";
import { pushTestImage } from "./images.js";
import { buildLambdaRuntimeImage } from "./lambda/runtime-image.js";

/** Lambda through the official JavaScript SDK v3: image functions with a shell custom runtime, every operation and its errors. */
const sim = await startSimulator();
const lambda = new LambdaClient(sim.config);
const logs = new CloudWatchLogsClient(sim.config);
const checks = new Checks("lambda");
const suffix = Date.now().toString(36);
const account = "123456789012";
const name = `conformance-fn-${suffix}`;
const arn = `arn:aws:lambda:${sim.config.region}:${account}:function:${name}`;
const work = mkdtempSync(join(tmpdir(), "lambda-conformance-"));
const decode = (b?: Uint8Array) => Buffer.from(b ?? []).toString("utf8");
const waiter = { client: lambda, maxWaitTime: 120, minDelay: 1 };

const archive = join(work, "runtime.tar");
await buildLambdaRuntimeImage(archive);
const imageUri = await pushTestImage(sim.config, `conformance/lambda-${suffix}`, "v1", archive);
const imageUri2 = await pushTestImage(sim.config, `conformance/lambda-${suffix}`, "v2", archive);
const role = (await new IAMClient(sim.config).send(new CreateRoleCommand({ RoleName: `lambda-${suffix}`, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }))).Role!.Arn!;
const create = (fn: string, extra: Record<string, unknown> = {}) => lambda.send(new CreateFunctionCommand({ FunctionName: fn, PackageType: "Image", Code: { ImageUri: imageUri }, Role: role, ...extra }));

await checks.check("CreateFunction of an image answers Pending with Lambda's defaults", async () => {
  const fn = await create(name, { Environment: { Variables: { GREETING: "hi" } }, Tags: { suite: "lambda" } });
  assertEqual(fn.FunctionArn, arn, "FunctionArn");
  assertEqual([fn.State, fn.StateReasonCode, fn.LastUpdateStatus], ["Pending", "Creating", "InProgress"], "state");
  assertEqual([fn.Timeout, fn.MemorySize, fn.PackageType, fn.Version], [3, 128, "Image", "$LATEST"], "defaults");
  assertEqual(fn.Environment?.Variables, { GREETING: "hi" }, "Environment");
});

await checks.check("CreateFunction of a name that exists is ResourceConflictException (409)", async () => {
  const e = await expectError(() => create(name), "ResourceConflictException", 409);
  assertEqual(e.message, `Function already exist: ${name}`, "message");
});

await checks.check("CreateFunction of a Zip package is InvalidParameterValueException", async () => {
  await expectError(() => lambda.send(new CreateFunctionCommand({ FunctionName: `zip-${suffix}`, Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: Buffer.from("PK") }, Role: role })), "InvalidParameterValueException", 400);
});

await checks.check("CreateFunction of an image outside the account's ECR is InvalidParameterValueException", async () => {
  const e = await expectError(() => create(`elsewhere-${suffix}`, { Code: { ImageUri: "docker.io/library/busybox:latest" } }), "InvalidParameterValueException", 400);
  assertEqual(e.message, "Source image docker.io/library/busybox:latest is not valid. Provide a valid source image.", "message");
});

await checks.check("CreateFunction with a role IAM does not have, a malformed role or a timeout over 900 is refused", async () => {
  const e = await expectError(() => create(`norole-${suffix}`, { Role: `arn:aws:iam::${account}:role/nobody-${suffix}` }), "InvalidParameterValueException", 400);
  assertEqual(e.message, "The role defined for the function cannot be assumed by Lambda.", "message");
  await expectError(() => create(`badrole-${suffix}`, { Role: "role" }), "ValidationException", 400);
  await expectError(() => create(`slow-${suffix}`, { Timeout: 901 }), "ValidationException", 400);
});

await checks.check("waitUntilFunctionActiveV2, then GetFunction names the resolved image", async () => {
  await waitUntilFunctionActiveV2(waiter, { FunctionName: name });
  const got = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
  assertEqual([got.Configuration?.State, got.Configuration?.LastUpdateStatus], ["Active", "Successful"], "state");
  assertEqual([got.Code?.RepositoryType, got.Code?.ImageUri], ["ECR", imageUri], "Code");
  assert(new RegExp(`^${imageUri.replace(/:v1$/, "")}@sha256:[0-9a-f]{64}$`).test(got.Code?.ResolvedImageUri ?? ""), `ResolvedImageUri ${got.Code?.ResolvedImageUri}`);
  assertEqual(got.Tags, { suite: "lambda" }, "Tags");
});

await checks.check("GetFunctionConfiguration by ARN", async () => {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn }));
  assertEqual(config.FunctionName, name, "FunctionName");
  assertEqual(config.Role, role, "Role");
});

await checks.check("TagResource, ListTags and UntagResource of the function", async () => {
  await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { env: "conformance" } }));
  assertEqual((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { suite: "lambda", env: "conformance" }, "Tags after TagResource");
  await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["env"] }));
  assertEqual((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { suite: "lambda" }, "Tags after UntagResource");
  await expectError(() => lambda.send(new ListTagsCommand({ Resource: `${arn}-absent` })), "ResourceNotFoundException", 404);
});

await checks.check("Invoke runs the custom runtime and returns its answer with the log's tail", async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"n":1}'), LogType: "Tail" }));
  assertEqual([out.StatusCode, out.FunctionError, out.ExecutedVersion], [200, undefined, "$LATEST"], "status");
  assertEqual(JSON.parse(decode(out.Payload)), { received: { n: 1 }, function: name, greeting: "hi" }, "Payload");
  const tail = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
  const id = out.$metadata.requestId!;
  assert(tail.includes(`START RequestId: ${id} Version: $LATEST\n`), `tail has START: ${tail}`);
  assert(tail.includes(`END RequestId: ${id}\n`), `tail has END: ${tail}`);
  assert(new RegExp(`REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB`).test(tail), `tail has REPORT: ${tail}`);
});

await checks.check("Invoke of a failing handler answers X-Amz-Function-Error Unhandled with the runtime's error", async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"action":"fail"}') }));
  assertEqual(out.FunctionError, "Unhandled", "FunctionError");
  assertEqual(JSON.parse(decode(out.Payload)), { errorMessage: "the handler handler failed", errorType: "HandlerError" }, "Payload");
});

await checks.check("Invoke DryRun answers 204 and Event 202", async () => {
  assertEqual((await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "DryRun" }))).StatusCode, 204, "DryRun");
  assertEqual((await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from("{}") }))).StatusCode, 202, "Event");
});

await checks.check("Invoke with a payload over 6 MB is RequestTooLargeException (413); one not JSON is InvalidRequestContentException", async () => {
  await expectError(() => lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify("x".repeat(6 * 1024 * 1024))) })), "RequestTooLargeException", 413);
  await expectError(() => lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{nope") })), "InvalidRequestContentException", 400);
});

await checks.check("A response over 6 MB becomes Function.ResponseSizeTooLarge", async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"action":"big"}') }));
  assertEqual(out.FunctionError, "Unhandled", "FunctionError");
  assertEqual(JSON.parse(decode(out.Payload)), { errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).", errorType: "Function.ResponseSizeTooLarge" }, "Payload");
});

await checks.check("The function's lines reach CloudWatch Logs under /aws/lambda/NAME", async () => {
  await waitFor("the function's log lines", async () => {
    const events = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}` }));
    const messages = (events.events ?? []).map((e) => e.message ?? "");
    const ok = messages.some((m) => m === `handling an event for ${name}`) && messages.some((m) => m.startsWith("REPORT RequestId: "));
    const streams = new Set((events.events ?? []).map((e) => e.logStreamName));
    return ok && [...streams].every((s) => /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/.test(s ?? "")) ? true : undefined;
  });
});

await checks.check("UpdateFunctionConfiguration, waitUntilFunctionUpdatedV2, and a timeout ends with Sandbox.Timedout", async () => {
  const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 1 }));
  assertEqual(updated.Timeout, 1, "Timeout");
  await waitUntilFunctionUpdatedV2(waiter, { FunctionName: name });
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"action":"sleep"}') }));
  assertEqual(out.FunctionError, "Unhandled", "FunctionError");
  assertEqual(JSON.parse(decode(out.Payload)), { errorMessage: `RequestId: ${out.$metadata.requestId} Error: Task timed out after 1.00 seconds`, errorType: "Sandbox.Timedout" }, "Payload");
});

await checks.check("UpdateFunctionCode to another image, then waitUntilFunctionUpdatedV2", async () => {
  const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ImageUri: imageUri2 }));
  assertEqual(updated.LastUpdateStatus, "InProgress", "LastUpdateStatus");
  await waitUntilFunctionUpdatedV2(waiter, { FunctionName: name });
  const got = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
  assertEqual(got.Code?.ImageUri, imageUri2, "ImageUri");
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"v":2}') }));
  assertEqual(JSON.parse(decode(out.Payload)).received, { v: 2 }, "received");
});

await checks.check("A function whose image does not exist is Failed (ImageDeleted) and cannot be invoked", async () => {
  const missing = `missing-${suffix}`;
  await create(missing, { Code: { ImageUri: imageUri.replace(/:v1$/, ":absent") } });
  const config = await waitFor("the Failed state", async () => {
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: missing }));
    return c.State === "Pending" ? undefined : c;
  });
  assertEqual([config.State, config.StateReasonCode], ["Failed", "ImageDeleted"], "state");
  const e = await expectError(() => lambda.send(new InvokeCommand({ FunctionName: missing })), "ResourceConflictException", 409);
  assertEqual(e.message, "The operation cannot be performed at this time. The function is currently in the following state: Failed", "message");
  await lambda.send(new DeleteFunctionCommand({ FunctionName: missing }));
});

await checks.check("ListFunctions pages with MaxItems and NextMarker", async () => {
  const second = `second-${suffix}`;
  await create(second);
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 1, Marker: marker }));
    assert((page.Functions ?? []).length <= 1, "at most one function a page");
    names.push(...(page.Functions ?? []).map((f) => f.FunctionName!));
    marker = page.NextMarker;
  } while (marker);
  assert(names.includes(name) && names.includes(second), `listed ${names.join(", ")}`);
  await lambda.send(new DeleteFunctionCommand({ FunctionName: second }));
});

await checks.check("DeleteFunction, after which the function is ResourceNotFoundException (404)", async () => {
  await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  const e = await expectError(() => lambda.send(new GetFunctionCommand({ FunctionName: name })), "ResourceNotFoundException", 404);
  assertEqual(e.message, `Function not found: ${arn}`, "message");
  await expectError(() => lambda.send(new InvokeCommand({ FunctionName: name })), "ResourceNotFoundException", 404);
  await expectError(() => lambda.send(new DeleteFunctionCommand({ FunctionName: name })), "ResourceNotFoundException", 404);
});

await checks.check("An operation the simulator does not serve is UnknownOperationException (404)", async () => {
  await expectError(() => lambda.send(new ListAliasesCommand({ FunctionName: name })), "UnknownOperationException", 404);
});

await checks.check("A request signed with a wrong secret is InvalidSignatureException (403)", async () => {
  const wrong = new LambdaClient({ ...sim.config, credentials: { ...sim.config.credentials, secretAccessKey: "wrong" } });
  await expectError(() => wrong.send(new ListFunctionsCommand({})), "InvalidSignatureException", 403);
});

rmSync(work, { recursive: true, force: true });
checks.finish();
await sim.stop();
