import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, DescribeLogStreamsCommand, FilterLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  RequestTooLargeException,
  ResourceNotFoundException,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushTestImage } from "../../../../conformance/aws/images.js";
import { buildLambdaRuntimeImage } from "../../../../conformance/aws/lambda/runtime-image.js";
import { startSimTestbed, type SimTestbed } from "../../testbed.js";

let dir: string;
let bed: SimTestbed;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
let imageUri: string;
let role: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lambda-test-"));
  bed = await startSimTestbed(dir, { lambda: { asyncRetryDelaysMs: [10, 10] } });
  const archive = join(dir, "runtime.tar");
  await buildLambdaRuntimeImage(archive);
  imageUri = await pushTestImage(bed.config, "fn-runtime", "v1", archive);
  lambda = new LambdaClient(bed.config);
  logs = new CloudWatchLogsClient(bed.config);
  const created = await new IAMClient(bed.config).send(new CreateRoleCommand({ RoleName: "fn-role", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
  role = created.Role!.Arn!;
}, 120_000);

afterAll(async () => {
  await bed?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function createActive(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, PackageType: "Image", Code: { ImageUri: imageUri }, Role: role, ...extra }));
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: name });
}

/** Polls until probe answers a value. */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, delay));
  }
}

const decode = (b?: Uint8Array) => Buffer.from(b ?? []).toString("utf8");

describe("Lambda image functions", () => {
  it("creates a function that becomes Active once its image is pulled", async () => {
    const created = await lambda.send(new CreateFunctionCommand({ FunctionName: "echo", PackageType: "Image", Code: { ImageUri: imageUri }, Role: role, Environment: { Variables: { GREETING: "hi" } } }));
    expect(created.State).toBe("Pending");
    expect(created.FunctionArn).toBe(`arn:aws:lambda:us-east-1:123456789012:function:echo`);
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: "echo" });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "echo" }));
    expect(got.Configuration?.State).toBe("Active");
    expect(got.Configuration?.LastUpdateStatus).toBe("Successful");
    expect(got.Code?.RepositoryType).toBe("ECR");
    expect(got.Code?.ResolvedImageUri).toMatch(new RegExp(`^${imageUri.replace(/:v1$/, "")}@sha256:[0-9a-f]{64}$`));
  }, 90_000);

  it("invokes the custom runtime and returns its answer, with the log's tail", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from('{"n":1}'), LogType: "Tail" }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(JSON.parse(decode(out.Payload))).toEqual({ received: { n: 1 }, function: "echo", greeting: "hi" });
    const tail = Buffer.from(out.LogResult!, "base64").toString("utf8");
    const id = out.$metadata.requestId!;
    expect(tail).toContain(`START RequestId: ${id} Version: $LATEST\n`);
    expect(tail).toContain("handling an event for echo\n");
    expect(tail).toContain(`END RequestId: ${id}\n`);
    expect(tail).toMatch(new RegExp(`REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\n$`));
  }, 60_000);

  it("reuses the warm instance", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from('{"n":2}'), LogType: "Tail" }));
    expect(JSON.parse(decode(out.Payload)).received).toEqual({ n: 2 });
    expect(Buffer.from(out.LogResult!, "base64").toString("utf8")).not.toContain("Init Duration");
  }, 60_000);

  it("reports a function error with the runtime's error document", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from('{"action":"fail"}') }));
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(decode(out.Payload))).toEqual({ errorMessage: "the handler handler failed", errorType: "HandlerError" });
  }, 60_000);

  it("writes the instance's lines to CloudWatch Logs, in a stream per instance", async () => {
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/echo" }));
    expect(streams.logStreams).toHaveLength(1);
    const stream = streams.logStreams![0].logStreamName!;
    expect(stream).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const events = await logs.send(new GetLogEventsCommand({ logGroupName: "/aws/lambda/echo", logStreamName: stream, startFromHead: true }));
    const messages = events.events!.map((e) => e.message!);
    expect(messages.filter((m) => m.startsWith("START RequestId: "))).toHaveLength(3);
    expect(messages.filter((m) => m === "handling an event for echo")).toHaveLength(3);
    expect(messages.filter((m) => m.startsWith("REPORT RequestId: "))).toHaveLength(3);
  });

  it("answers a dry run without running the function", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "DryRun" }));
    expect(out.StatusCode).toBe(204);
  });

  it("runs an Event invocation in the background", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: Buffer.from('{"n":"async"}') }));
    expect(out.StatusCode).toBe(202);
    const id = out.$metadata.requestId!;
    await waitFor(async () => {
      const events = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/echo" }));
      return events.events?.some((e) => e.message?.startsWith(`END RequestId: ${id}`)) || undefined;
    });
  }, 30_000);

  it("runs a failing Event invocation twice more, with the same request ID", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: Buffer.from('{"action":"fail"}') }));
    const id = out.$metadata.requestId!;
    const starts = await waitFor(async () => {
      const events = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/echo" }));
      const ends = (events.events ?? []).filter((e) => e.message === `END RequestId: ${id}`);
      return ends.length === 3 ? ends : undefined;
    });
    expect(starts).toHaveLength(3);
  }, 30_000);

  it("refuses a payload over 6 MB and one that is not JSON", async () => {
    const big = Buffer.from(JSON.stringify("x".repeat(6 * 1024 * 1024)));
    const e = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: big })).catch((err: Error & { $metadata: { httpStatusCode: number } }) => err);
    expect(e).toBeInstanceOf(RequestTooLargeException);
    expect((e as RequestTooLargeException).$metadata.httpStatusCode).toBe(413);
    await expect(lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from("{nope") }))).rejects.toThrow(InvalidRequestContentException);
  });

  it("turns a response over 6 MB into Lambda's function error", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from('{"action":"big"}') }));
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(decode(out.Payload))).toEqual({ errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).", errorType: "Function.ResponseSizeTooLarge" });
  }, 60_000);

  it("refuses an unknown function", async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: "nobody" }))).rejects.toThrow(ResourceNotFoundException);
    await expect(lambda.send(new InvokeCommand({ FunctionName: "nobody" }))).rejects.toThrow("Function not found: arn:aws:lambda:us-east-1:123456789012:function:nobody");
  });

  it("lists and deletes functions", async () => {
    const listed = await lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => f.FunctionName)).toContain("echo");
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "echo" }));
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: "echo" }))).rejects.toThrow(ResourceNotFoundException);
  }, 30_000);

  it("reports a runtime that exits, one that cannot start, and one that fails to initialize", async () => {
    await createActive("exits", { ImageConfig: { EntryPoint: ["sh", "-c", "echo leaving; exit 2"] } });
    let out = await lambda.send(new InvokeCommand({ FunctionName: "exits" }));
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(decode(out.Payload))).toEqual({ errorMessage: `RequestId: ${out.$metadata.requestId} Error: Runtime exited with error: exit status 2`, errorType: "Runtime.ExitError" });

    await createActive("no-entrypoint", { ImageConfig: { EntryPoint: ["/var/runtime/missing"] } });
    out = await lambda.send(new InvokeCommand({ FunctionName: "no-entrypoint" }));
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(decode(out.Payload)).errorType).toBe("Runtime.InvalidEntrypoint");

    const report = `curl -sS -X POST -H "Lambda-Runtime-Function-Error-Type: Runtime.Broken" --data-binary '{"errorMessage":"cannot load","errorType":"Runtime.Broken"}' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error"; exit 1`;
    await createActive("init-fails", { ImageConfig: { EntryPoint: ["sh", "-c", report] } });
    out = await lambda.send(new InvokeCommand({ FunctionName: "init-fails" }));
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(decode(out.Payload))).toEqual({ errorMessage: "cannot load", errorType: "Runtime.Broken" });
  }, 90_000);

  it("runs concurrent invocations on instances of their own", async () => {
    await createActive("parallel");
    const outs = await Promise.all([1, 2].map((n) => lambda.send(new InvokeCommand({ FunctionName: "parallel", Payload: Buffer.from(`{"n":${n}}`) }))));
    expect(outs.map((o) => JSON.parse(decode(o.Payload)).received)).toEqual([{ n: 1 }, { n: 2 }]);
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/parallel" }));
    expect(streams.logStreams).toHaveLength(2);
  }, 60_000);

  it("starts a new instance when the warm one has ended", async () => {
    const api = "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime";
    const once = `curl -sS -i "${api}/invocation/next" > /tmp/next; id=$(grep -i '^lambda-runtime-aws-request-id:' /tmp/next | cut -d: -f2 | tr -d ' \\r'); curl -sS -X POST --data-binary '"once"' "${api}/invocation/$id/response"`;
    await createActive("one-shot", { ImageConfig: { EntryPoint: ["sh", "-c", once] } });
    for (let i = 0; i < 2; i++) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: "one-shot", LogType: "Tail" }));
      expect(decode(out.Payload)).toBe('"once"');
      expect(Buffer.from(out.LogResult!, "base64").toString("utf8")).toContain("Init Duration");
    }
  }, 60_000);

  it("answers operations it does not serve in Lambda's error shape", async () => {
    const e = await lambda.send(new ListAliasesCommand({ FunctionName: "parallel" })).catch((err: Error) => err);
    expect(e.name).toBe("UnknownOperationException");
    expect(e.message).toMatch(/GET \/2015-03-31\/functions\/parallel\/aliases is a Lambda operation this simulator does not serve/);
  });

  it("serves $LATEST only", async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: "parallel", Qualifier: "1" }))).rejects.toThrow("Function not found: arn:aws:lambda:us-east-1:123456789012:function:parallel:1");
    const out = await lambda.send(new InvokeCommand({ FunctionName: "parallel:$LATEST" }));
    expect(out.ExecutedVersion).toBe("$LATEST");
  }, 30_000);

  it("reports an instance that runs out of memory", async () => {
    await createActive("hog", { Timeout: 60 });
    const out = await lambda.send(new InvokeCommand({ FunctionName: "hog", Payload: Buffer.from('{"action":"hog"}') }));
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(decode(out.Payload))).toEqual({ errorMessage: `RequestId: ${out.$metadata.requestId} Error: Runtime exited with error: signal: killed`, errorType: "Runtime.OutOfMemory" });
  }, 90_000);

  it("ends an invocation that outlasts its timeout", async () => {
    await createActive("sleepy", { Timeout: 1 });
    const out = await lambda.send(new InvokeCommand({ FunctionName: "sleepy", Payload: Buffer.from('{"action":"sleep"}'), LogType: "Tail" }));
    expect(out.FunctionError).toBe("Unhandled");
    const id = out.$metadata.requestId!;
    expect(JSON.parse(decode(out.Payload))).toEqual({ errorMessage: `RequestId: ${id} Error: Task timed out after 1.00 seconds`, errorType: "Sandbox.Timedout" });
    expect(Buffer.from(out.LogResult!, "base64").toString("utf8")).toMatch(/Status: timeout\n$/);
  }, 90_000);
});
