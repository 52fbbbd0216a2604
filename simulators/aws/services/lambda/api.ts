import { randomUUID } from "node:crypto";
import { parseReference } from "../../../../engine/images/reference.js";
import { AwsError } from "../../errors.js";
import type { JsonInput } from "../../request.js";
import type { AwsRequest } from "../../request.js";
import type { RestOperation, SimContext } from "../../service.js";
import { codeLocation, functionConfiguration, lambdaTimestamp } from "./configuration.js";
import type { FunctionLifecycle } from "./lifecycle.js";
import { functionArn, notFound, parseFunctionName } from "./names.js";
import type { InstancePool } from "./pool.js";
import type { FunctionStore, LambdaFunction } from "./store.js";
import { checkRole, environmentVariables, imageConfig, integerIn, optionalString, tags } from "./validate.js";

export interface LambdaParts {
  ctx: SimContext;
  store: FunctionStore;
  lifecycle: FunctionLifecycle;
  pool: InstancePool;
}

const FUNCTIONS = "/2015-03-31/functions";

/** The function named by the path, $LATEST only. */
export function lookup(parts: LambdaParts, req: AwsRequest, raw: string): LambdaFunction {
  const { region, accountId } = parts.ctx;
  const ref = parseFunctionName(raw, req.query.get("Qualifier"), { region, accountId });
  const fn = ref.qualifier === undefined ? parts.store.find(ref.name) : undefined;
  if (!fn) throw notFound(region, accountId, ref.name, ref.qualifier);
  return fn;
}

/** An image URI of a repository in the account's ECR, as Lambda requires. */
function checkImageUri(ctx: SimContext, uri: unknown): string {
  if (typeof uri !== "string" || uri === "") throw new AwsError("InvalidParameterValueException", "Please provide ImageUri when PackageType is Image.");
  let valid = true;
  try {
    parseReference(uri);
  } catch {
    valid = false;
  }
  if (!valid || !ctx.registry.owns(uri)) throw new AwsError("InvalidParameterValueException", `Source image ${uri} is not valid. Provide a valid source image.`);
  return uri;
}

/** An update must wait for the function to be created and for the last update to finish. */
function checkUpdatable(fn: LambdaFunction): void {
  if (fn.state === "Pending") throw new AwsError("ResourceConflictException", `The operation cannot be performed at this time. The function is currently in the following state: ${fn.state}`, 409);
  if (fn.lastUpdateStatus === "InProgress") throw new AwsError("ResourceConflictException", `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`, 409);
}

/** ListFunctions' Marker: the position of the next function, opaque to clients. */
const encodeMarker = (index: number) => Buffer.from(JSON.stringify({ next: index })).toString("base64");
function decodeMarker(marker: string): number {
  try {
    const { next } = JSON.parse(Buffer.from(marker, "base64").toString("utf8")) as { next: unknown };
    if (typeof next === "number" && Number.isInteger(next) && next >= 0) return next;
  } catch {
    /* reported below */
  }
  throw new AwsError("InvalidParameterValueException", `Invalid marker: ${marker}`);
}

function create(parts: LambdaParts, input: JsonInput): LambdaFunction {
  const { ctx, store } = parts;
  const rawName = optionalString(input, "FunctionName");
  if (!rawName) throw new AwsError("ValidationException", "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null");
  const ref = parseFunctionName(rawName, null, ctx);
  if (ref.qualifier !== undefined) throw new AwsError("InvalidParameterValueException", "Unsupported function name: a qualifier cannot be given when creating a function.");
  if ((input.PackageType ?? "Zip") !== "Image") {
    throw new AwsError("InvalidParameterValueException", "Only container image functions (PackageType Image with Code.ImageUri) are simulated; Zip packages are not.");
  }
  const code = (input.Code ?? {}) as Record<string, unknown>;
  const imageUri = checkImageUri(ctx, code.ImageUri);
  const role = checkRole(input.Role, (arn) => ctx.roles.exists(arn));
  const timeout = integerIn(input, "Timeout", "timeout", 1, 900) ?? 3;
  const memorySize = integerIn(input, "MemorySize", "memorySize", 128, 10240) ?? 128;
  const environment = environmentVariables(input.Environment);
  const config = imageConfig(input.ImageConfig);
  if (input.Publish === true) throw new AwsError("InvalidParameterValueException", "Publishing versions is not simulated: only $LATEST is served.");
  const architectures = input.Architectures as unknown;
  if (Array.isArray(architectures) && architectures.some((a) => a !== "x86_64")) throw new AwsError("InvalidParameterValueException", "Only the x86_64 architecture is simulated.");
  if (store.find(ref.name)) throw new AwsError("ResourceConflictException", `Function already exist: ${ref.name}`, 409);
  const fn: LambdaFunction = {
    name: ref.name,
    arn: functionArn(ctx.region, ctx.accountId, ref.name),
    role,
    description: optionalString(input, "Description") ?? "",
    timeout,
    memorySize,
    environment: environment ? JSON.stringify(environment) : "",
    imageConfig: config ? JSON.stringify(config) : "",
    tags: JSON.stringify(tags(input.Tags)),
    imageUri,
    imageId: "",
    resolvedImageUri: "",
    codeSha256: "",
    state: "Pending",
    stateReason: "The function is being created.",
    stateReasonCode: "Creating",
    lastUpdateStatus: "InProgress",
    lastUpdateStatusReason: "The function is being created.",
    lastUpdateStatusReasonCode: "Creating",
    revisionId: randomUUID(),
    lastModified: lambdaTimestamp(),
    created: Date.now(),
  };
  store.insert(fn);
  parts.lifecycle.prepare(fn);
  return fn;
}

function updateCode(parts: LambdaParts, fn: LambdaFunction, input: JsonInput): LambdaFunction {
  if (input.ZipFile !== undefined || input.S3Bucket !== undefined) throw new AwsError("InvalidParameterValueException", "Please provide ImageUri when updating a function with packageType Image.");
  const imageUri = checkImageUri(parts.ctx, input.ImageUri);
  if (input.Publish === true) throw new AwsError("InvalidParameterValueException", "Publishing versions is not simulated: only $LATEST is served.");
  checkUpdatable(fn);
  if (input.RevisionId !== undefined && input.RevisionId !== fn.revisionId) throw preconditionFailed();
  if (input.DryRun === true) return fn;
  const updated = parts.store.update(fn.name, {
    imageUri,
    lastUpdateStatus: "InProgress",
    lastUpdateStatusReason: "The function is being updated.",
    lastUpdateStatusReasonCode: "",
    revisionId: randomUUID(),
    lastModified: lambdaTimestamp(),
  });
  parts.lifecycle.prepare(updated);
  return updated;
}

function preconditionFailed(): AwsError {
  return new AwsError("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id", 412);
}

function updateConfiguration(parts: LambdaParts, fn: LambdaFunction, input: JsonInput): LambdaFunction {
  const { ctx, store } = parts;
  const change: Partial<LambdaFunction> = {};
  if (input.Role !== undefined) change.role = checkRole(input.Role, (arn) => ctx.roles.exists(arn));
  const description = optionalString(input, "Description");
  if (description !== undefined) change.description = description;
  const timeout = integerIn(input, "Timeout", "timeout", 1, 900);
  if (timeout !== undefined) change.timeout = timeout;
  const memorySize = integerIn(input, "MemorySize", "memorySize", 128, 10240);
  if (memorySize !== undefined) change.memorySize = memorySize;
  const environment = environmentVariables(input.Environment);
  if (environment !== undefined) change.environment = Object.keys(environment).length ? JSON.stringify(environment) : "";
  const config = imageConfig(input.ImageConfig);
  if (config !== undefined) change.imageConfig = Object.keys(config).length ? JSON.stringify(config) : "";
  if (input.Runtime !== undefined || input.Handler !== undefined || input.Layers !== undefined) {
    throw new AwsError("InvalidParameterValueException", "Please don't provide Handler, Runtime or Layer when the intended function PackageType is Image.");
  }
  checkUpdatable(fn);
  if (input.RevisionId !== undefined && input.RevisionId !== fn.revisionId) throw preconditionFailed();
  // Nothing is rebuilt for a configuration change: its instances are retired and the next invocation starts a new one.
  const updated = store.update(fn.name, { ...change, lastUpdateStatus: "Successful", lastUpdateStatusReason: "", lastUpdateStatusReasonCode: "", revisionId: randomUUID(), lastModified: lambdaTimestamp() });
  parts.pool.retire(fn.name);
  return updated;
}

function list(parts: LambdaParts, req: AwsRequest): unknown {
  const maxItems = req.query.get("MaxItems");
  let max = 50;
  if (maxItems !== null) {
    max = Number(maxItems);
    if (!Number.isInteger(max) || max < 1 || max > 10000) {
      throw new AwsError("ValidationException", `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value ${max < 1 ? "greater than or equal to 1" : "less than or equal to 10000"}`);
    }
  }
  const marker = req.query.get("Marker");
  const start = marker ? decodeMarker(marker) : 0;
  const all = parts.store.list();
  const page = all.slice(start, start + max);
  return { Functions: page.map(functionConfiguration), ...(start + max < all.length ? { NextMarker: encodeMarker(start + max) } : {}) };
}

/** CreateFunction, GetFunction, GetFunctionConfiguration, UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction, ListFunctions. */
export function functionOperations(parts: LambdaParts): RestOperation[] {
  const createOp = (_req: AwsRequest, _p: Record<string, string>, input: JsonInput) => ({ status: 201, json: functionConfiguration(create(parts, input)) });
  const listOp = (req: AwsRequest) => ({ json: list(parts, req) });
  return [
    { method: "POST", path: FUNCTIONS, handler: createOp },
    { method: "POST", path: `${FUNCTIONS}/`, handler: createOp },
    { method: "GET", path: FUNCTIONS, handler: listOp },
    { method: "GET", path: `${FUNCTIONS}/`, handler: listOp },
    {
      method: "GET",
      path: `${FUNCTIONS}/:name`,
      handler: (req, p) => {
        const fn = lookup(parts, req, p.name);
        const fnTags = JSON.parse(fn.tags) as Record<string, string>;
        return { json: { Configuration: functionConfiguration(fn), Code: codeLocation(fn), ...(Object.keys(fnTags).length ? { Tags: fnTags } : {}) } };
      },
    },
    { method: "GET", path: `${FUNCTIONS}/:name/configuration`, handler: (req, p) => ({ json: functionConfiguration(lookup(parts, req, p.name)) }) },
    { method: "PUT", path: `${FUNCTIONS}/:name/code`, handler: (req, p, input) => ({ json: functionConfiguration(updateCode(parts, lookup(parts, req, p.name), input)) }) },
    { method: "PUT", path: `${FUNCTIONS}/:name/configuration`, handler: (req, p, input) => ({ json: functionConfiguration(updateConfiguration(parts, lookup(parts, req, p.name), input)) }) },
    {
      method: "DELETE",
      path: `${FUNCTIONS}/:name`,
      handler: (req, p) => {
        const fn = lookup(parts, req, p.name);
        parts.store.delete(fn.name);
        parts.pool.retire(fn.name);
        return { status: 204 };
      },
    },
  ];
}
