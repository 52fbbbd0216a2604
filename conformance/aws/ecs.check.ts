// ECS through the unmodified @aws-sdk/client-ecs (and @aws-sdk/client-cloudwatch-logs for the awslogs output): every operation the simulator serves and its errors.
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  ListClustersCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { runSession } from "../../simulators/aws/ssm/client.js";
import { assert, assertEqual, Checks, expectError, startSimulator, waitFor } from "./harness.js";
import { pushTestImage } from "./images.js";

const sim = await startSimulator();
const ecs = new ECSClient(sim.config);
const logs = new CloudWatchLogsClient(sim.config);
const checks = new Checks("ecs");
const run = Date.now().toString(36);
const cluster = `conformance-${run}`;
const group = `/ecs/conformance-${run}`;
let executionRoleArn = "";
const network = { awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"], assignPublicIp: "ENABLED" as const } };
let image = "";

const definition = (family: string, containers: Partial<ContainerDefinition>[], extra: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
  family,
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "256",
  memory: "512",
  executionRoleArn,
  containerDefinitions: containers.map((c) => ({
    name: "main",
    image,
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-region": sim.config.region, "awslogs-stream-prefix": "ecs" } },
    ...c,
  })),
  ...extra,
});

const runTask = async (taskDefinition: string, extra: Record<string, unknown> = {}): Promise<Task> => {
  const out = await ecs.send(new RunTaskCommand({ cluster, taskDefinition, launchType: "FARGATE", networkConfiguration: network, ...extra }));
  assertEqual(out.failures, [], "RunTask failures");
  return out.tasks![0];
};
const describeTask = async (arn: string) => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn], include: ["TAGS"] }))).tasks![0];
const reaches = (arn: string, status: string) => waitFor(`task ${status}`, async () => ((t) => (t.lastStatus === status ? t : undefined))(await describeTask(arn)), 60_000);
const taskIdOf = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

await checks.check("the busybox test image is pushed to the simulator's ECR; an execution role and a log group exist", async () => {
  image = await pushTestImage(sim.config, `ecs-conformance-${run}`, "latest");
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  const iam = new IAMClient(sim.config);
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  executionRoleArn = (await iam.send(new CreateRoleCommand({ RoleName: `ecs-execution-${run}`, AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!.Arn!;
  iam.destroy();
});

await checks.check("CreateCluster, DescribeClusters with a MISSING failure, ListClusters", async () => {
  const created = await ecs.send(new CreateClusterCommand({ clusterName: cluster, tags: [{ key: "suite", value: "conformance" }] }));
  assertEqual(created.cluster?.clusterArn, `arn:aws:ecs:${sim.config.region}:123456789012:cluster/${cluster}`, "clusterArn");
  assertEqual(created.cluster?.status, "ACTIVE", "status");
  const described = await ecs.send(new DescribeClustersCommand({ clusters: [cluster, `${cluster}-missing`], include: ["TAGS"] }));
  assertEqual(described.clusters?.[0].tags, [{ key: "suite", value: "conformance" }], "tags");
  assertEqual(described.failures, [{ arn: `arn:aws:ecs:${sim.config.region}:123456789012:cluster/${cluster}-missing`, reason: "MISSING" }], "failures");
  assert((await ecs.send(new ListClustersCommand({}))).clusterArns?.includes(created.cluster!.clusterArn!), "ListClusters names the cluster");
});

await checks.check("RegisterTaskDefinition numbers revisions; DescribeTaskDefinition by family, revision and ARN with TAGS", async () => {
  const one = await ecs.send(new RegisterTaskDefinitionCommand({ ...definition("conf-echo", [{ command: ["sh", "-c", "echo hello from ecs; exit 3"] }]), tags: [{ key: "k", value: "v" }] }));
  const two = await ecs.send(new RegisterTaskDefinitionCommand(definition("conf-echo", [{ command: ["sh", "-c", "echo hello from ecs; exit 3"] }])));
  assertEqual([one.taskDefinition?.revision, two.taskDefinition?.revision], [1, 2], "revisions");
  assertEqual(one.taskDefinition?.compatibilities, ["EC2", "FARGATE"], "compatibilities");
  assertEqual((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "conf-echo" }))).taskDefinition?.revision, 2, "latest revision");
  const byArn = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: one.taskDefinition!.taskDefinitionArn, include: ["TAGS"] }));
  assertEqual(byArn.tags, [{ key: "k", value: "v" }], "tags");
  assert(byArn.taskDefinition?.registeredAt instanceof Date, "registeredAt is a timestamp");
});

await checks.check("RegisterTaskDefinition refuses what Fargate refuses, with ClientException", async () => {
  for (const change of [{ networkMode: "bridge" as const }, { cpu: "1024", memory: "1024" }, { cpu: undefined }, { executionRoleArn: undefined }]) {
    await expectError(() => ecs.send(new RegisterTaskDefinitionCommand(definition("conf-bad", [{}], change))), "ClientException", 400);
  }
  await expectError(() => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "conf-bad" })), "ClientException", 400);
});

await checks.check("RunTask runs the container: STOPPED with its exit code, EssentialContainerExited, its line in CloudWatch Logs", async () => {
  const started = await runTask("conf-echo:1", { startedBy: "conformance", tags: [{ key: "t", value: "1" }] });
  assertEqual(started.lastStatus, "PROVISIONING", "first status");
  assert(new RegExp(`^arn:aws:ecs:[^:]+:123456789012:task/${cluster}/[0-9a-f]{32}$`).test(started.taskArn!), `task ARN ${started.taskArn}`);
  const t = await reaches(started.taskArn!, "STOPPED");
  assertEqual([t.stopCode, t.stoppedReason, t.containers?.[0].exitCode], ["EssentialContainerExited", "Essential container in task exited", 3], "stop");
  assertEqual(t.tags, [{ key: "t", value: "1" }], "task tags");
  assert(t.startedAt && t.stoppedAt && t.pullStartedAt && t.startedAt <= t.stoppedAt, "timestamps");
  const events = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: `ecs/main/${taskIdOf(t.taskArn!)}`, startFromHead: true }));
  assertEqual(events.events?.map((e) => e.message), ["hello from ecs"], "awslogs lines");
});

let sleeper = "";
let plain = "";
await checks.check("ListTasks by desired status, family and startedBy; container overrides apply", async () => {
  await ecs.send(new RegisterTaskDefinitionCommand(definition("conf-sleep", [{ command: ["sleep", "1000"], stopTimeout: 2 }])));
  sleeper = (await runTask("conf-sleep", { startedBy: "conformance-sleep", enableExecuteCommand: true })).taskArn!;
  await reaches(sleeper, "RUNNING");
  assertEqual((await ecs.send(new ListTasksCommand({ cluster, family: "conf-sleep" }))).taskArns, [sleeper], "running tasks");
  assertEqual((await ecs.send(new ListTasksCommand({ cluster, startedBy: "conformance", desiredStatus: "STOPPED" }))).taskArns?.length, 1, "stopped tasks");
  const overridden = await runTask("conf-echo", { overrides: { containerOverrides: [{ name: "main", command: ["sh", "-c", "echo $WHO"], environment: [{ name: "WHO", value: "overridden" }] }] } });
  const t = await reaches(overridden.taskArn!, "STOPPED");
  assertEqual(t.containers?.[0].exitCode, 0, "exit code");
  const events = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: `ecs/main/${taskIdOf(t.taskArn!)}`, startFromHead: true }));
  assertEqual(events.events?.map((e) => e.message), ["overridden"], "override output");
});

await checks.check("ExecuteCommand: InvalidParameterException unless interactive and enabled; a session runs the command in the container", async () => {
  plain = (await runTask("conf-sleep")).taskArn!;
  await reaches(plain, "RUNNING");
  await expectError(() => ecs.send(new ExecuteCommandCommand({ cluster, task: plain, command: "/bin/sh", interactive: true })), "InvalidParameterException", 400);
  await expectError(() => ecs.send(new ExecuteCommandCommand({ cluster, task: sleeper, command: "/bin/sh", interactive: false })), "InvalidParameterException", 400);
  const running = await describeTask(sleeper);
  assertEqual(running.containers?.[0].managedAgents?.map((a) => [a.name, a.lastStatus]), [["ExecuteCommandAgent", "RUNNING"]], "managed agents");
  const out = await ecs.send(new ExecuteCommandCommand({ cluster, task: sleeper, container: "main", command: "sh -c 'echo exec says hello'", interactive: true }));
  assertEqual([out.taskArn, out.containerName, out.interactive, out.containerArn], [sleeper, "main", true, running.containers?.[0].containerArn], "answer");
  assert(out.session?.sessionId && out.session.streamUrl && out.session.tokenValue, "a session to connect to");
  let output = "";
  await runSession({ streamUrl: out.session.streamUrl, tokenValue: out.session.tokenValue }, { onStdout: (d) => (output += d), onStderr: (d) => (output += d) });
  assert(output.includes("exec says hello"), `the session's output: ${JSON.stringify(output)}`);
  await ecs.send(new StopTaskCommand({ cluster, task: plain }));
});

await checks.check("the task metadata endpoint v4 answers at ECS_CONTAINER_METADATA_URI_V4", async () => {
  await ecs.send(new RegisterTaskDefinitionCommand(definition("conf-meta", [{ command: ["sh", "-c", 'echo "$ECS_CONTAINER_METADATA_URI_V4"; sleep 1000'], stopTimeout: 2 }])));
  const arn = (await runTask("conf-meta")).taskArn!;
  await reaches(arn, "RUNNING");
  const uri = await waitFor("the metadata URI in the task's log", async () => {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: `ecs/main/${taskIdOf(arn)}`, startFromHead: true })).catch(() => undefined);
    return out?.events?.[0]?.message;
  });
  const task = (await (await fetch(`${uri}/task`)).json()) as { TaskARN: string; Family: string; Containers: { Name: string; KnownStatus: string }[] };
  assertEqual([task.TaskARN, task.Family, task.Containers.map((c) => [c.Name, c.KnownStatus])], [arn, "conf-meta", [["main", "RUNNING"]]], "task metadata");
  await ecs.send(new StopTaskCommand({ cluster, task: arn }));
});

await checks.check("DeleteCluster refuses with ClusterContainsTasksException while a task runs", async () => {
  await expectError(() => ecs.send(new DeleteClusterCommand({ cluster })), "ClusterContainsTasksException", 400);
});

await checks.check("StopTask: SIGTERM, then SIGKILL after stopTimeout; stopCode UserInitiated and the reason", async () => {
  const out = await ecs.send(new StopTaskCommand({ cluster, task: sleeper, reason: "conformance is done" }));
  assertEqual([out.task?.desiredStatus, out.task?.stopCode], ["STOPPED", "UserInitiated"], "answer");
  const t = await reaches(sleeper, "STOPPED");
  assertEqual([t.stoppedReason, t.containers?.[0].exitCode], ["conformance is done", 137], "stopped");
  await expectError(() => ecs.send(new ExecuteCommandCommand({ cluster, task: sleeper, command: "/bin/sh", interactive: true })), "TargetNotConnectedException", 400);
});

await checks.check("TagResource, UntagResource, ListTagsForResource on a task definition, a cluster and a task", async () => {
  const arns = [
    `arn:aws:ecs:${sim.config.region}:123456789012:task-definition/conf-echo:1`,
    `arn:aws:ecs:${sim.config.region}:123456789012:cluster/${cluster}`,
    sleeper,
  ];
  for (const resourceArn of arns) {
    await ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: "x", value: "1" }, { key: "y", value: "2" }] }));
    await ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["x"] }));
    const tags = (await ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags ?? [];
    assert(tags.some((t) => t.key === "y") && !tags.some((t) => t.key === "x"), `tags of ${resourceArn}: ${JSON.stringify(tags)}`);
  }
});

await checks.check("errors: unknown cluster, bad task definition, missing network configuration, a role that does not exist, unknown task", async () => {
  const e = await expectError(() => ecs.send(new RunTaskCommand({ cluster: `${cluster}-missing`, taskDefinition: "conf-echo", launchType: "FARGATE", networkConfiguration: network })), "ClusterNotFoundException", 400);
  assertEqual(e.message, "Cluster not found.", "message");
  await expectError(() => ecs.send(new RunTaskCommand({ cluster, taskDefinition: "conf-nothing:1", launchType: "FARGATE", networkConfiguration: network })), "ClientException", 400);
  await expectError(() => ecs.send(new RunTaskCommand({ cluster, taskDefinition: "conf-echo", launchType: "FARGATE" })), "InvalidParameterException", 400);
  const role = await expectError(
    () => ecs.send(new RunTaskCommand({ cluster, taskDefinition: "conf-echo", launchType: "FARGATE", networkConfiguration: network, overrides: { taskRoleArn: `${executionRoleArn}-none` } })),
    "ClientException",
    400,
  );
  assert(role.message.startsWith(`ECS was unable to assume the role '${executionRoleArn}-none'`), role.message);
  await expectError(() => ecs.send(new StopTaskCommand({ cluster, task: "0123456789abcdef0123456789abcdef" })), "InvalidParameterException", 400);
  const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: ["0123456789abcdef0123456789abcdef"] }));
  assertEqual(described.failures?.[0].reason, "MISSING", "DescribeTasks failure");
  await expectError(() => ecs.send(new DescribeTasksCommand({ cluster: `${cluster}-missing`, tasks: ["x"] })), "ClusterNotFoundException", 400);
});

await checks.check("ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition, DeleteTaskDefinitions", async () => {
  const arn = (n: number) => `arn:aws:ecs:${sim.config.region}:123456789012:task-definition/conf-echo:${n}`;
  assertEqual((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "conf-echo", sort: "DESC" }))).taskDefinitionArns, [arn(2), arn(1)], "list");
  const page = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "conf-echo", maxResults: 1 }));
  assertEqual(page.taskDefinitionArns, [arn(1)], "first page");
  assertEqual((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "conf-echo", maxResults: 1, nextToken: page.nextToken }))).taskDefinitionArns, [arn(2)], "second page");
  assert((await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "conf-" }))).families?.includes("conf-echo"), "families");
  const deleted = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["conf-echo:1"] }));
  assertEqual(deleted.failures?.length, 1, "an ACTIVE revision is not deleted");
  assertEqual((await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "conf-echo:1" }))).taskDefinition?.status, "INACTIVE", "deregistered");
  await expectError(() => ecs.send(new RunTaskCommand({ cluster, taskDefinition: "conf-echo:1", launchType: "FARGATE", networkConfiguration: network })), "InvalidParameterException", 400);
  const again = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["conf-echo:1"] }));
  assertEqual(again.taskDefinitions?.[0].status, "DELETE_IN_PROGRESS", "deleted");
});

await checks.check("DeleteCluster once its tasks stopped: INACTIVE, and ClusterNotFoundException afterwards", async () => {
  await reaches(plain, "STOPPED");
  assertEqual((await ecs.send(new DeleteClusterCommand({ cluster }))).cluster?.status, "INACTIVE", "status");
  await expectError(() => ecs.send(new DeleteClusterCommand({ cluster })), "ClusterNotFoundException", 400);
});

ecs.destroy();
logs.destroy();
await sim.stop();
checks.finish();
