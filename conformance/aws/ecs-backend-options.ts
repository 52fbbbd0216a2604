import { CreateClusterCommand, ECSClient } from "@aws-sdk/client-ecs";
import { CreateRoleCommand, EntityAlreadyExistsException, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";

const EXECUTION_ROLE = "ecsTaskExecutionRole";

/**
 * Prepares an AWS simulator for the ecs backend — a cluster and a task
 * execution role — and answers the backend options that point at them.
 */
export async function ecsBackendOptions(endpoint: string, region: string, pollMs = 50): Promise<Record<string, string>> {
  const config = { endpoint, region };
  const ecs = new ECSClient(config);
  const iam = new IAMClient(config);
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: "sockerless" }));
    let roleArn: string;
    try {
      const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] };
      roleArn = (await iam.send(new CreateRoleCommand({ RoleName: EXECUTION_ROLE, AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!.Arn!;
    } catch (err) {
      if (!(err instanceof EntityAlreadyExistsException)) throw err;
      roleArn = (await iam.send(new GetRoleCommand({ RoleName: EXECUTION_ROLE }))).Role!.Arn!;
    }
    return { region, endpoint, cluster: "sockerless", subnets: "subnet-12345678", executionRoleArn: roleArn, pollMs: String(pollMs) };
  } finally {
    ecs.destroy();
    iam.destroy();
  }
}

/** The options as `--backend-opt` takes them. */
export const asBackendOpt = (options: Record<string, string>) =>
  Object.entries(options)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
