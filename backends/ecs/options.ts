import { checkKnown, endpointOf, regionOf, ROLE_ARN, wholeNumber } from "../aws/options.js";

/** The ecs backend's options (`--backend-opt KEY=VALUE`); lists are space-separated. */
export interface EcsOptions {
  region: string;
  cluster: string;
  subnets: string[];
  securityGroups: string[];
  /** Lets tasks pull from ECR and write to CloudWatch Logs (awslogs needs one). */
  executionRoleArn: string;
  /** The role the task's own processes (and ECS Exec's agent, on AWS) act as. */
  taskRoleArn?: string;
  /** An endpoint for every service (the simulator); absent means AWS's own. */
  endpoint?: string;
  assignPublicIp: "ENABLED" | "DISABLED";
  /** Where tasks' output goes; created if missing. */
  logGroup: string;
  /** The ECR repository images are pushed to, tagged with their short ID; created if missing. */
  repository: string;
  /** Registry hosts tasks pull from as they are, besides ECR's (and the endpoint's, for the simulator). */
  registries: string[];
  /** How often task state and log events are read. */
  pollMs: number;
}

const KNOWN = ["region", "cluster", "subnets", "securityGroups", "executionRoleArn", "taskRoleArn", "endpoint", "assignPublicIp", "logGroup", "repository", "registries", "pollMs"];

const list = (value: string | undefined) => (value ?? "").split(" ").filter(Boolean);

export function parseEcsOptions(options: Record<string, string>, env: NodeJS.ProcessEnv = process.env): EcsOptions {
  checkKnown("ecs", options, KNOWN);
  const region = regionOf("ecs", options, env);
  const subnets = list(options.subnets);
  if (subnets.length === 0) throw new Error('the ecs backend needs subnets for its awsvpc tasks: --backend-opt subnets="subnet-1 subnet-2"');
  for (const s of subnets) if (!/^subnet-[0-9a-f]+$/.test(s)) throw new Error(`ecs backend subnet "${s}" is not a subnet ID (subnet-...)`);
  const securityGroups = list(options.securityGroups);
  for (const g of securityGroups) if (!/^sg-[0-9a-f]+$/.test(g)) throw new Error(`ecs backend security group "${g}" is not a security group ID (sg-...)`);
  const executionRoleArn = options.executionRoleArn ?? "";
  if (!ROLE_ARN.test(executionRoleArn)) {
    throw new Error("the ecs backend needs executionRoleArn=arn:aws:iam::ACCOUNT:role/NAME, a role tasks use to pull images and write logs");
  }
  const taskRoleArn = options.taskRoleArn;
  if (taskRoleArn !== undefined && !ROLE_ARN.test(taskRoleArn)) throw new Error(`ecs backend taskRoleArn "${taskRoleArn}" is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)`);
  const endpoint = endpointOf("ecs", options);
  const assignPublicIp = options.assignPublicIp ?? "DISABLED";
  if (assignPublicIp !== "ENABLED" && assignPublicIp !== "DISABLED") throw new Error(`ecs backend assignPublicIp must be ENABLED or DISABLED, not "${assignPublicIp}"`);
  const pollMs = wholeNumber("ecs", options, "pollMs", { fallback: 1000, min: 1, max: 60_000, unit: "milliseconds" });
  return {
    region,
    cluster: options.cluster ?? "default",
    subnets,
    securityGroups,
    executionRoleArn,
    ...(taskRoleArn ? { taskRoleArn } : {}),
    ...(endpoint ? { endpoint } : {}),
    assignPublicIp,
    logGroup: options.logGroup ?? "/sockerless/ecs",
    repository: options.repository ?? "sockerless/images",
    registries: list(options.registries),
    pollMs,
  };
}
