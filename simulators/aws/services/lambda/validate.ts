import { AwsError } from "../../errors.js";
import type { JsonInput } from "../../request.js";

/** Lambda's model constraints, reported as its ValidationException words them. */
function invalid(value: unknown, member: string, constraint: string): AwsError {
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  return new AwsError("ValidationException", `1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

export function integerIn(input: JsonInput, key: string, member: string, min: number, max: number): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: ${key} must be an integer`);
  if (value < min) throw invalid(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw invalid(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

export function optionalString(input: JsonInput, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: ${key} must be a string`);
  return value;
}

const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

/** A role ARN of the right form that names a role IAM has. */
export function checkRole(role: unknown, exists: (arn: string) => boolean): string {
  if (typeof role !== "string" || !ROLE.test(role)) {
    throw invalid(role ?? null, "role", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
  }
  if (!exists(role)) throw new AwsError("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.");
  return role;
}

/** Variables Lambda sets itself; a function may not define them. */
const RESERVED = ["_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"];

/** Environment.Variables: string values, no reserved keys, at most 4 KB in all. */
export function environmentVariables(environment: unknown): Record<string, string> | undefined {
  if (environment === undefined || environment === null) return undefined;
  const variables = (environment as { Variables?: unknown }).Variables ?? {};
  if (typeof variables !== "object" || variables === null || Array.isArray(variables)) throw new AwsError("InvalidRequestContentException", "Could not parse request body into json: Environment.Variables must be a map");
  const entries = Object.entries(variables as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key)) throw invalid("[SENSITIVE]", "environment.variables", "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]");
    if (typeof value !== "string") throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: Environment.Variables.${key} must be a string`);
  }
  const reserved = entries.map(([k]) => k).filter((k) => RESERVED.includes(k));
  if (reserved.length) {
    throw new AwsError(
      "InvalidParameterValueException",
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
  const size = Buffer.byteLength(JSON.stringify(variables));
  if (size > 4096) throw new AwsError("InvalidParameterValueException", `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(variables)}`);
  return variables as Record<string, string>;
}

export interface ImageConfig {
  EntryPoint?: string[];
  Command?: string[];
  WorkingDirectory?: string;
}

/** ImageConfig as given: lists of strings and a directory. */
export function imageConfig(value: unknown): ImageConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const list = (key: string) => {
    const l = v[key];
    if (l === undefined || l === null) return undefined;
    if (!Array.isArray(l) || l.some((s) => typeof s !== "string")) throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: ImageConfig.${key} must be a list of strings`);
    if (l.length > 1500) throw invalid(l, `imageConfig.${key.charAt(0).toLowerCase()}${key.slice(1)}`, "Member must have length less than or equal to 1500");
    return l as string[];
  };
  const config: ImageConfig = { EntryPoint: list("EntryPoint"), Command: list("Command"), WorkingDirectory: typeof v.WorkingDirectory === "string" ? v.WorkingDirectory : undefined };
  return Object.fromEntries(Object.entries(config).filter(([, x]) => x !== undefined)) as ImageConfig;
}

export function tags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
    throw new AwsError("InvalidRequestContentException", "Could not parse request body into json: Tags must be a map of strings");
  }
  return value as Record<string, string>;
}
