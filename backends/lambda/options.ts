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

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/** Lambda's limits on MemorySize (MB) and Timeout (seconds). */
export const MEMORY_MB = { min: 128, max: 10240 };
const TIMEOUT_S = { min: 1, max: 900 };

function whole(options: Record<string, string>, key: string, fallback: number, min: number, max: number, unit: string): number {
  const value = Number(options[key] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`lambda backend ${key} "${options[key]}" must be a whole number of ${unit} from ${min} to ${max}`);
  return value;
}

export function parseLambdaOptions(options: Record<string, string>, env: NodeJS.ProcessEnv = process.env): LambdaOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new Error(`unknown lambda backend option "${key}"; known: ${KNOWN.join(", ")}`);
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("the lambda backend needs a region: --backend-opt region=REGION (or AWS_REGION)");
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new Error(`lambda backend region "${region}" is not an AWS region name`);
  const role = options.role ?? "";
  if (!ROLE_ARN.test(role)) throw new Error("the lambda backend needs role=arn:aws:iam::ACCOUNT:role/NAME, the execution role its functions run as");
  const endpoint = options.endpoint;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) throw new Error(`lambda backend endpoint "${endpoint}" must be http(s)://HOST[:PORT]`);
  return {
    region,
    role,
    ...(endpoint ? { endpoint } : {}),
    repository: options.repository ?? "sockerless/images",
    memory: whole(options, "memory", MEMORY_MB.min, MEMORY_MB.min, MEMORY_MB.max, "MB"),
    timeout: whole(options, "timeout", TIMEOUT_S.max, TIMEOUT_S.min, TIMEOUT_S.max, "seconds"),
    pollMs: whole(options, "pollMs", 1000, 1, 60_000, "milliseconds"),
  };
}
