import { checkKnown, endpointOf, regionOf, ROLE_ARN, wholeNumber } from "../aws/options.js";

/** The lambda backend's options (`--backend-opt KEY=VALUE`). */
export interface LambdaOptions {
  region: string;
  /** The execution role functions run as (it must allow writing to CloudWatch Logs). */
  role: string;
  /** An endpoint for every service (the simulator); absent means AWS's own. */
  endpoint?: string;
  /** The ECR repository images are pushed to, tagged with their short ID; created if missing. */
  repository: string;
  /** MemorySize in MB of a container without a memory limit. */
  memory: number;
  /** The functions' Timeout in seconds: how long an invocation may run. */
  timeout: number;
  /** How often function state and log events are read. */
  pollMs: number;
}

const KNOWN = ["region", "role", "endpoint", "repository", "memory", "timeout", "pollMs"];

/** Lambda's limits on MemorySize (MB) and Timeout (seconds). */
export const MEMORY_MB = { min: 128, max: 10240 };
const TIMEOUT_S = { min: 1, max: 900 };

export function parseLambdaOptions(options: Record<string, string>, env: NodeJS.ProcessEnv = process.env): LambdaOptions {
  checkKnown("lambda", options, KNOWN);
  const region = regionOf("lambda", options, env);
  const role = options.role ?? "";
  if (!ROLE_ARN.test(role)) throw new Error("the lambda backend needs role=arn:aws:iam::ACCOUNT:role/NAME, the execution role its functions run as");
  const endpoint = endpointOf("lambda", options);
  return {
    region,
    role,
    ...(endpoint ? { endpoint } : {}),
    repository: options.repository ?? "sockerless/images",
    memory: wholeNumber("lambda", options, "memory", { fallback: MEMORY_MB.min, ...MEMORY_MB, unit: "MB" }),
    timeout: wholeNumber("lambda", options, "timeout", { fallback: TIMEOUT_S.max, ...TIMEOUT_S, unit: "seconds" }),
    pollMs: wholeNumber("lambda", options, "pollMs", { fallback: 1000, min: 1, max: 60_000, unit: "milliseconds" }),
  };
}
