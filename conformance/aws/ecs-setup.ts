import { CreateClusterCommand, ECSClient } from "@aws-sdk/client-ecs";
import { CreateRoleCommand, EntityAlreadyExistsException, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";

/**
 * Prepares the AWS simulator (AWS_ENDPOINT_URL) for the ecs backend: a
 * cluster and a task execution role. Prints the `--backend-opt` value that
 * points the backend at them. Usage: ecs-setup.js [POLL_MS]
 */
const endpoint = process.env.AWS_ENDPOINT_URL;
const region = process.env.AWS_REGION;
if (!endpoint || !region) {
  process.stderr.write("ecs-setup: AWS_ENDPOINT_URL and AWS_REGION must name the simulator\n");
  process.exit(2);
}
const config = { endpoint, region };
const ecs = new ECSClient(config);
const iam = new IAMClient(config);
await ecs.send(new CreateClusterCommand({ clusterName: "sockerless" }));
let roleArn: string;
try {
  const created = await iam.send(new CreateRoleCommand({ RoleName: "ecsTaskExecutionRole", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
  roleArn = created.Role!.Arn!;
} catch (err) {
  if (!(err instanceof EntityAlreadyExistsException)) throw err;
  roleArn = (await iam.send(new GetRoleCommand({ RoleName: "ecsTaskExecutionRole" }))).Role!.Arn!;
}
ecs.destroy();
iam.destroy();
process.stdout.write(`region=${region},endpoint=${endpoint},cluster=sockerless,subnets=subnet-12345678,executionRoleArn=${roleArn},pollMs=${process.argv[2] ?? "50"}\n`);
