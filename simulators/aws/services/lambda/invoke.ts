import { randomBytes, randomUUID } from "node:crypto";
import { AwsError } from "../../errors.js";
import type { RestOperation } from "../../service.js";
import { lookup, type LambdaParts } from "./api.js";
import type { AsyncInvocations } from "./async-invocations.js";
import type { InvocationRequest } from "./instance.js";
import type { LambdaFunction } from "./store.js";

/** Invoke's payload limits: 6 MB for a synchronous call, 1 MB for an asynchronous one. */
const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
const MAX_ASYNC_PAYLOAD = 1024 * 1024;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** An X-Ray trace header for the invocation, as Lambda passes one to the runtime. */
function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString("hex")};Parent=${randomBytes(8).toString("hex")};Sampled=0;Lineage=1:${randomBytes(4).toString("hex")}:0`;
}

/** Lambda invokes only an Active function. */
function checkInvokable(fn: LambdaFunction): void {
  if (fn.state !== "Active") throw new AwsError("ResourceConflictException", `The operation cannot be performed at this time. The function is currently in the following state: ${fn.state}`, 409);
}

function checkJson(payload: Buffer): void {
  if (payload.length === 0) return;
  try {
    JSON.parse(payload.toString("utf8"));
  } catch (err) {
    throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: Could not parse payload into json: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** POST /2015-03-31/functions/{name}/invocations: RequestResponse, Event and DryRun. */
export function invokeOperation(parts: LambdaParts, asyncInvocations: AsyncInvocations): RestOperation {
  return {
    method: "POST",
    path: "/2015-03-31/functions/:name/invocations",
    payload: true,
    handler: async (req, p) => {
      const type = header(req.headers, "x-amz-invocation-type") ?? "RequestResponse";
      if (!["RequestResponse", "Event", "DryRun"].includes(type)) {
        throw new AwsError("ValidationException", `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
      }
      const logType = header(req.headers, "x-amz-log-type") ?? "None";
      if (!["None", "Tail"].includes(logType)) {
        throw new AwsError("ValidationException", `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`);
      }
      const limit = type === "Event" ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
      if (req.body.length > limit) throw new AwsError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 413);
      const fn = lookup(parts, req, p.name);
      checkJson(req.body);
      checkInvokable(fn);
      if (type === "DryRun") return { status: 204, headers: { "x-amz-executed-version": "$LATEST" } };
      const clientContext = header(req.headers, "x-amz-client-context");
      const request: InvocationRequest = { requestId: req.requestId || randomUUID(), payload: req.body.length ? req.body : Buffer.from("{}"), traceId: traceId(), ...(clientContext ? { clientContext } : {}) };
      if (type === "Event") {
        asyncInvocations.start(fn.name, request);
        return { status: 202 };
      }
      const outcome = await parts.pool.invoke(fn, { cmd: parts.lifecycle.imageCommand(fn) }, request, false);
      return {
        status: 200,
        headers: {
          "content-type": "application/json",
          "x-amz-executed-version": "$LATEST",
          ...(outcome.functionError ? { "x-amz-function-error": outcome.functionError } : {}),
          ...(logType === "Tail" ? { "x-amz-log-result": Buffer.from(outcome.logTail).toString("base64") } : {}),
        },
        body: outcome.payload,
      };
    },
  };
}
