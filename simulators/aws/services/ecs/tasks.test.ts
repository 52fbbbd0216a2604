import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
  type RunTaskCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestRegistry } from "../../../../engine/registry/testing.js";
import { runSession } from "../../ssm/client.js";
import { startSimTestbed, type SimTestbed } from "../../testbed.js";
import { registryWithBusybox } from "./testing.js";

let dir: string;
let sim: SimTestbed;
let ecs: ECSClient;
let logs: CloudWatchLogsClient;
let registry: TestRegistry;
let image: string;
const network = { awsvpcConfiguration: { subnets: ["subnet-12345678"] } };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecs-tasks-test-"));
  ({ registry, image } = await registryWithBusybox(join(dir, "push")));
  sim = await startSimTestbed(join(dir, "sim"));
  ecs = new ECSClient(sim.config);
  logs = new CloudWatchLogsClient(sim.config);
  await ecs.send(new CreateClusterCommand({ clusterName: "work" }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/test" }));
  const iam = new IAMClient(sim.config);
  await iam.send(new CreateRoleCommand({ RoleName: "ecsTaskExecutionRole", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
  iam.destroy();
}, 60_000);
afterAll(async () => {
  ecs.destroy();
  logs.destroy();
  await sim.close();
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const awslogs = { logDriver: "awslogs" as const, options: { "awslogs-group": "/ecs/test", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs" } };

async function register(family: string, containers: Partial<ContainerDefinition>[]): Promise<string> {
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
      containerDefinitions: containers.map((c) => ({ name: "main", image, logConfiguration: awslogs, ...c })),
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}

async function run(taskDefinition: string, extra: Partial<RunTaskCommandInput> = {}): Promise<Task> {
  const out = await ecs.send(new RunTaskCommand({ cluster: "work", taskDefinition, launchType: "FARGATE", networkConfiguration: network, ...extra }));
  expect(out.failures).toEqual([]);
  return out.tasks![0];
}

async function until(task: Task, ready: (t: Task) => boolean, timeoutMs = 20_000): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const [t] = (await ecs.send(new DescribeTasksCommand({ cluster: "work", tasks: [task.taskArn!] }))).tasks!;
    if (ready(t)) return t;
    if (Date.now() > deadline) throw new Error(`task still ${t.lastStatus}: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
const stopped = (t: Task) => t.lastStatus === "STOPPED";

async function logLines(stream: string): Promise<string[]> {
  const out = await logs.send(new GetLogEventsCommand({ logGroupName: "/ecs/test", logStreamName: stream, startFromHead: true }));
  return out.events!.map((e) => e.message!);
}

async function waitForLines(stream: string): Promise<string[]> {
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const lines = await logLines(stream).catch(() => []);
    if (lines.length > 0) return lines;
    await new Promise((r) => setTimeout(r, delay));
  }
}

const taskId = (t: Task) => t.taskArn!.slice(t.taskArn!.lastIndexOf("/") + 1);

describe("ECS tasks", () => {
  it("runs a task to its end: output in its awslogs stream, the exit code, and ECS's timestamps", async () => {
    const td = await register("hello", [{ command: ["sh", "-c", "echo hello from ecs; echo to stderr >&2; exit 3"] }]);
    const started = await run(td, { startedBy: "tests", tags: [{ key: "t", value: "1" }] });
    expect(started).toMatchObject({ lastStatus: "PROVISIONING", desiredStatus: "RUNNING", launchType: "FARGATE", group: "family:hello", startedBy: "tests", tags: [{ key: "t", value: "1" }] });
    expect(started.taskArn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/work\/[0-9a-f]{32}$/);
    expect(started.containers![0].containerArn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:123456789012:container/work/${taskId(started)}/[0-9a-f-]{36}$`));

    const t = await until(started, stopped);
    expect(t).toMatchObject({ desiredStatus: "STOPPED", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" });
    expect(t.containers![0]).toMatchObject({ name: "main", image, lastStatus: "STOPPED", exitCode: 3 });
    expect(t.containers![0].runtimeId).toMatch(/^[0-9a-f]{64}$/);
    expect(t.containers![0].imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const times = [t.createdAt, t.pullStartedAt, t.pullStoppedAt, t.startedAt, t.stoppingAt, t.executionStoppedAt, t.stoppedAt].map((d) => d!.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect((await logLines(`ecs/main/${taskId(t)}`)).sort()).toEqual(["hello from ecs", "to stderr"]);
    const listed = await ecs.send(new ListTasksCommand({ cluster: "work", desiredStatus: "STOPPED", family: "hello", startedBy: "tests" }));
    expect(listed.taskArns).toEqual([t.taskArn]);
  });

  it("stops a running task with SIGTERM and stopCode UserInitiated", async () => {
    const td = await register("sleeper", [{ command: ["sh", "-c", "trap 'echo terminated; exit 143' TERM; while true; do sleep 0.1; done"], stopTimeout: 20 }]);
    const started = await run(td);
    await until(started, (t) => t.lastStatus === "RUNNING");
    expect((await ecs.send(new ListTasksCommand({ cluster: "work", family: "sleeper" }))).taskArns).toEqual([started.taskArn]);
    expect((await ecs.send(new DescribeClustersCommand({ clusters: ["work"] }))).clusters?.[0].runningTasksCount).toBeGreaterThanOrEqual(1);
    expect((await ecs.send(new DeleteClusterCommand({ cluster: "work" })).catch((e: Error) => e)).name).toBe("ClusterContainsTasksException");
    const stopping = (await ecs.send(new StopTaskCommand({ cluster: "work", task: started.taskArn, reason: "enough" }))).task!;
    expect(stopping).toMatchObject({ desiredStatus: "STOPPED", stopCode: "UserInitiated", stoppedReason: "enough" });
    const t = await until(started, stopped, 10_000);
    expect(t.containers![0].exitCode).toBe(143);
    expect(await logLines(`ecs/main/${taskId(t)}`)).toEqual(["terminated"]);
  });

  it("kills a container that ignores SIGTERM after its stopTimeout", async () => {
    // sleep as the container's first process ignores SIGTERM, as a process 1 without a handler does.
    const td = await register("stubborn", [{ command: ["sleep", "1000"], stopTimeout: 2 }]);
    const started = await run(td);
    await until(started, (t) => t.lastStatus === "RUNNING");
    const asked = Date.now();
    await ecs.send(new StopTaskCommand({ cluster: "work", task: started.taskArn }));
    const t = await until(started, stopped);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(2000);
    expect(t.containers![0].exitCode).toBe(137);
    expect(t.stoppedReason).toBe("Task stopped by user");
  });

  it("applies container overrides of command and environment over the definition's, beside the variables Fargate sets", async () => {
    const td = await register("envs", [{ command: ["sh", "-c", "echo definition"], environment: [{ name: "A", value: "from-def" }, { name: "B", value: "kept" }] }]);
    const started = await run(td, { overrides: { containerOverrides: [{ name: "main", command: ["sh", "-c", "echo $A $B; echo $AWS_EXECUTION_ENV $AWS_REGION"], environment: [{ name: "A", value: "from-override" }] }] } });
    const t = await until(started, stopped);
    expect(t.containers![0].exitCode).toBe(0);
    expect(t.overrides?.containerOverrides?.[0].command).toEqual(["sh", "-c", "echo $A $B; echo $AWS_EXECUTION_ENV $AWS_REGION"]);
    expect(await logLines(`ecs/main/${taskId(t)}`)).toEqual(["from-override kept", "AWS_ECS_FARGATE us-east-1"]);
  });

  it("keeps running while a non-essential container exits, and stops when the essential one does", async () => {
    const td = await register("pair", [
      { name: "side", essential: false, command: ["sh", "-c", "exit 7"] },
      { name: "main", command: ["sh", "-c", "sleep 0.3; echo main done"] },
    ]);
    const t = await until(await run(td), stopped);
    expect(t.stopCode).toBe("EssentialContainerExited");
    expect(Object.fromEntries(t.containers!.map((c) => [c.name, c.exitCode]))).toEqual({ side: 7, main: 0 });
  });

  it("starts containers in their dependsOn order: COMPLETE waits for the exit, SUCCESS for a zero exit", async () => {
    const td = await register("ordered", [
      { name: "init", essential: false, command: ["sh", "-c", "sleep 0.3; echo init done"] },
      { name: "main", command: ["echo", "main ran"], dependsOn: [{ containerName: "init", condition: "COMPLETE" }] },
    ]);
    const t = await until(await run(td), stopped);
    expect(t.stopCode).toBe("EssentialContainerExited");
    const events = async (name: string) => (await logs.send(new GetLogEventsCommand({ logGroupName: "/ecs/test", logStreamName: `ecs/${name}/${taskId(t)}`, startFromHead: true }))).events!;
    const [init] = await events("init");
    const [main] = await events("main");
    expect([init.message, main.message]).toEqual(["init done", "main ran"]);
    expect(main.timestamp!).toBeGreaterThanOrEqual(init.timestamp!);

    const failing = await register("unmet", [
      { name: "init", essential: false, command: ["sh", "-c", "exit 4"] },
      { name: "main", command: ["echo", "never"], dependsOn: [{ containerName: "init", condition: "SUCCESS" }] },
    ]);
    const f = await until(await run(failing), stopped);
    expect(f).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: "CannotStartContainerError: the dependency init exited with 4, not 0 as its SUCCESS condition needs" });
    expect(f.containers!.find((c) => c.name === "main")!.runtimeId).toBeUndefined();

    const cycle = ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "cycle",
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          { name: "a", image, dependsOn: [{ containerName: "b", condition: "START" }] },
          { name: "b", image, dependsOn: [{ containerName: "a", condition: "START" }] },
        ],
      }),
    );
    await expect(cycle).rejects.toMatchObject({ name: "ClientException" });
  });

  it("serves each container its task metadata at ECS_CONTAINER_METADATA_URI_V4", async () => {
    const td = await register("meta", [{ command: ["sh", "-c", 'echo "$ECS_CONTAINER_METADATA_URI_V4"; sleep 1000'], stopTimeout: 2 }]);
    const started = await run(td);
    const t = await until(started, (x) => x.lastStatus === "RUNNING");
    const [uri] = await waitForLines(`ecs/main/${taskId(t)}`);
    expect(uri).toMatch(new RegExp(`^${sim.endpoint}/`));
    const own = await (await fetch(uri)).json();
    expect(own).toMatchObject({ DockerId: t.containers![0].runtimeId, Name: "main", Image: image, KnownStatus: "RUNNING", Type: "NORMAL", ContainerARN: t.containers![0].containerArn, LogDriver: "awslogs" });
    const task = await (await fetch(`${uri}/task`)).json();
    expect(task).toMatchObject({ Cluster: t.clusterArn, TaskARN: t.taskArn, Family: "meta", Revision: "1", KnownStatus: "RUNNING", LaunchType: "FARGATE", Limits: { CPU: 0.25, Memory: 512 } });
    expect(task.Containers.map((c: { Name: string }) => c.Name)).toEqual(["main"]);
    expect((await fetch(`${uri}/stats`)).status).toBe(404);
    await ecs.send(new StopTaskCommand({ cluster: "work", task: t.taskArn }));
    await until(t, stopped);
    expect((await fetch(uri)).status).toBe(404);
  });

  it("runs count tasks at once; a task stopped as soon as it is run stops whether or not its container started", async () => {
    const td = await register("many", [{ command: ["sleep", "1000"], stopTimeout: 2 }]);
    const out = await ecs.send(new RunTaskCommand({ cluster: "work", taskDefinition: td, launchType: "FARGATE", networkConfiguration: network, count: 2 }));
    expect(new Set(out.tasks!.map((t) => t.taskArn)).size).toBe(2);
    const [early, late] = out.tasks!;
    await ecs.send(new StopTaskCommand({ cluster: "work", task: early.taskArn }));
    const never = await until(early, stopped);
    expect(never).toMatchObject({ stopCode: "UserInitiated", stoppedReason: "Task stopped by user" });
    expect(never.containers![0].lastStatus).toBe("STOPPED");
    // Stopped before it started, the container has no exit code; after, SIGTERM is ignored by sleep and SIGKILL ends it.
    expect([undefined, 137]).toContain(never.containers![0].exitCode);
    await until(late, (t) => t.lastStatus === "RUNNING");
    await ecs.send(new StopTaskCommand({ cluster: "work", task: late.taskArn }));
    expect((await until(late, stopped)).containers![0].exitCode).toBe(137);
  });

  it("fails to start when the image cannot be pulled or the log group is missing", async () => {
    const badImage = await register("noimage", [{ image: `${registry.host}/missing:latest` }]);
    const pulled = await until(await run(badImage), stopped);
    expect(pulled.stopCode).toBe("TaskFailedToStart");
    expect(pulled.stoppedReason).toMatch(/^CannotPullContainerError: /);
    expect(pulled.containers![0].reason).toBe(pulled.stoppedReason);

    const noGroup = await register("nogroup", [{ logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/absent", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs" } } }]);
    const failed = await until(await run(noGroup), stopped);
    expect(failed).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: expect.stringMatching(/^ResourceInitializationError: .*The specified log group does not exist/) });

    const badUser = await register("baduser", [{ command: ["true"], user: "nosuchuser" }]);
    const unstarted = await until(await run(badUser), stopped);
    expect(unstarted).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: expect.stringMatching(/^CannotStartContainerError: .*nosuchuser/) });

    const created = await register("creategroup", [
      { command: ["echo", "made"], logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/made", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "p", "awslogs-create-group": "true" } } },
    ]);
    const made = await until(await run(created), stopped);
    const events = await logs.send(new GetLogEventsCommand({ logGroupName: "/ecs/made", logStreamName: `p/main/${taskId(made)}`, startFromHead: true }));
    expect(events.events?.map((e) => e.message)).toEqual(["made"]);
  });

  it("answers errors as ECS does", async () => {
    const td = await register("errs", [{ command: ["true"] }]);
    const error = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => ({ name: e.name, message: e.message }));
    expect(await error(ecs.send(new RunTaskCommand({ cluster: "nowhere", taskDefinition: td, launchType: "FARGATE", networkConfiguration: network })))).toEqual({ name: "ClusterNotFoundException", message: "Cluster not found." });
    expect(await error(ecs.send(new RunTaskCommand({ taskDefinition: td, launchType: "FARGATE", networkConfiguration: network })))).toEqual({ name: "ClusterNotFoundException", message: "Cluster not found." });
    expect(await error(ecs.send(new RunTaskCommand({ cluster: "work", taskDefinition: "nothing:1", launchType: "FARGATE", networkConfiguration: network })))).toEqual({ name: "ClientException", message: "TaskDefinition not found." });
    expect(await error(ecs.send(new RunTaskCommand({ cluster: "work", taskDefinition: td, launchType: "FARGATE" })))).toEqual({
      name: "InvalidParameterException",
      message: "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    });
    expect(await error(ecs.send(new RunTaskCommand({ cluster: "work", taskDefinition: td, launchType: "FARGATE", networkConfiguration: network, count: 11 })))).toMatchObject({ name: "InvalidParameterException" });
    expect(await error(ecs.send(new RunTaskCommand({ cluster: "work", taskDefinition: td, launchType: "FARGATE", networkConfiguration: network, overrides: { containerOverrides: [{ name: "other" }] } })))).toEqual({
      name: "InvalidParameterException",
      message: "Override for container named other is not a container in the TaskDefinition.",
    });
    expect(await error(ecs.send(new RunTaskCommand({ cluster: "work", taskDefinition: td, launchType: "FARGATE", networkConfiguration: network, overrides: { taskRoleArn: "arn:aws:iam::123456789012:role/nobody" } })))).toEqual({
      name: "ClientException",
      message:
        "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/nobody' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.",
    });
    const secretive = await register("secretive", [{ command: ["true"], secrets: [{ name: "TOKEN", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/token" }] }]);
    expect(await error(ecs.send(new RunTaskCommand({ cluster: "work", taskDefinition: secretive, launchType: "FARGATE", networkConfiguration: network })))).toEqual({
      name: "UnsupportedFeatureException",
      message: "The simulator does not run containers that use secrets (container main).",
    });
    expect(await error(ecs.send(new StopTaskCommand({ cluster: "work", task: "0123456789abcdef0123456789abcdef" })))).toEqual({ name: "InvalidParameterException", message: "The referenced task was not found." });
    const described = await ecs.send(new DescribeTasksCommand({ cluster: "work", tasks: ["0123456789abcdef0123456789abcdef"] }));
    expect(described.failures).toEqual([{ arn: "arn:aws:ecs:us-east-1:123456789012:task/work/0123456789abcdef0123456789abcdef", reason: "MISSING" }]);
  });

  it("ExecuteCommand: refused unless interactive and enabled, TargetNotConnectedException once stopped, and a session that runs the command in the container", async () => {
    const td = await register("execs", [{ command: ["sleep", "1000"], stopTimeout: 2 }]);
    const plain = await run(td);
    await until(plain, (t) => t.lastStatus === "RUNNING");
    const exec = (task: Task, interactive = true) => ecs.send(new ExecuteCommandCommand({ cluster: "work", task: task.taskArn, command: "/bin/sh", interactive })).catch((e: Error) => e);
    expect(await exec(plain)).toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(/^The execute command failed because execute command was not enabled/) });
    expect(await exec(plain, false)).toMatchObject({ name: "InvalidParameterException", message: "Interactive is the only mode supported currently." });

    const enabled = await run(td, { enableExecuteCommand: true });
    const runningTask = await until(enabled, (t) => t.lastStatus === "RUNNING");
    expect(runningTask.containers![0].managedAgents).toMatchObject([{ name: "ExecuteCommandAgent", lastStatus: "RUNNING" }]);
    const opened = await ecs.send(new ExecuteCommandCommand({ cluster: "work", task: enabled.taskArn, command: "sh -c 'echo \"exec in $PWD\"'", interactive: true }));
    expect(opened).toMatchObject({ clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/work", containerName: "main", interactive: true, taskArn: enabled.taskArn, containerArn: runningTask.containers![0].containerArn });
    let output = "";
    await runSession({ streamUrl: opened.session!.streamUrl!, tokenValue: opened.session!.tokenValue! }, { onStdout: (d) => (output += d), onStderr: (d) => (output += d) });
    expect(output.replace(/\r/g, "")).toContain("exec in /");
    await ecs.send(new StopTaskCommand({ cluster: "work", task: enabled.taskArn }));
    await ecs.send(new StopTaskCommand({ cluster: "work", task: plain.taskArn }));
    const done = await until(enabled, stopped);
    expect(done.stoppedReason).toBe("Task stopped by user");
    expect(done.containers![0].managedAgents).toMatchObject([{ name: "ExecuteCommandAgent", lastStatus: "STOPPED" }]);
    expect(await exec(done)).toMatchObject({ name: "TargetNotConnectedException" });
    await until(plain, stopped);
  });
});
