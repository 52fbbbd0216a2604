import type { CreateFunctionCommandInput } from "@aws-sdk/client-lambda";
import { NotImplementedError } from "../../engine/errors.js";
import type { ContainerSpec, ProcessSpec } from "../backend.js";
import { taskTags } from "../ecs/task-definition.js";
import { MEMORY_MB, type LambdaOptions } from "./options.js";

/** One function per container; Lambda names are at most 64 characters, so the short ID. */
export const functionNameOf = (containerId: string) => `sockerless-${containerId.slice(0, 12)}`;

/** Where Lambda writes a function's log. */
export const logGroupOf = (functionName: string) => `/aws/lambda/${functionName}`;

/** Variables Lambda sets itself and refuses in a function's Environment. */
export const RESERVED_VARIABLES = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

const VARIABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]+$/;

/**
 * The container's environment as Lambda takes it. The variables Lambda sets
 * itself are left to Lambda (images built on AWS's base images carry some of
 * them in their own Env); a name Lambda cannot hold is refused.
 */
export function functionVariables(env: string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const entry of env) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (RESERVED_VARIABLES.has(name)) continue;
    if (!VARIABLE_NAME.test(name)) throw new NotImplementedError(`the lambda backend cannot set the environment variable "${name}": Lambda's names are a letter followed by letters, digits or _, two characters at least`);
    variables[name] = eq < 0 ? "" : entry.slice(eq + 1);
  }
  return variables;
}

/** The smallest MemorySize that holds the container's memory limit; `fallback` MB without one. */
export function memorySizeOf(memoryBytes: number, fallback: number): number {
  if (memoryBytes === 0) return fallback;
  const mb = Math.max(MEMORY_MB.min, Math.ceil(memoryBytes / (1024 * 1024)));
  if (mb > MEMORY_MB.max) throw new NotImplementedError(`the lambda backend cannot give a function ${mb} MB: Lambda's largest is ${MEMORY_MB.max} MB`);
  return mb;
}

/** What Lambda cannot give a function's process, beyond what engine/ refuses from describe(): refused before anything is created. */
export function checkRunnable(process: ProcessSpec): void {
  if (process.tty) throw new NotImplementedError("the lambda backend cannot give a function a terminal (Tty)");
  if (process.user) throw new NotImplementedError(`the lambda backend cannot run a function as user "${process.user}": Lambda runs every function as a user of its own`);
  if (process.argv.length === 0) throw new NotImplementedError("the lambda backend cannot run a function without a command");
}

/**
 * PID 1 as an image function. engine/ has already resolved ENTRYPOINT and
 * CMD into argv; Lambda takes them apart again: its first word is the
 * EntryPoint, the rest the Command, whose first word Lambda hands the runtime
 * as _HANDLER (so an image's ENTRYPOINT bootstrap and CMD handler stay what
 * they are). The container's labels become tags, with its ID.
 */
export function functionDefinition(spec: ContainerSpec, process: ProcessSpec, imageUri: string, options: LambdaOptions): CreateFunctionCommandInput {
  const [entryPoint, ...command] = process.argv;
  return {
    FunctionName: functionNameOf(spec.id),
    Description: `Sockerless container ${spec.id}`,
    PackageType: "Image",
    Code: { ImageUri: imageUri },
    Role: options.role,
    MemorySize: memorySizeOf(spec.memory, options.memory),
    Timeout: options.timeout,
    ImageConfig: { EntryPoint: [entryPoint], Command: command, ...(process.cwd ? { WorkingDirectory: process.cwd } : {}) },
    Environment: { Variables: functionVariables(process.env) },
    Tags: Object.fromEntries(taskTags(spec).map((t) => [t.key!, t.value!])),
  };
}
