import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ExecuteCommandCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { runSession, type SessionEndpoint, type SessionResult } from "../../simulators/aws/ssm/client.js";
import { assert, assertEqual, Checks, startSimulator, waitFor } from "./harness.js";
import { pushTestImage } from "./images.js";

/**
 * Session Manager's data channel as ECS ExecuteCommand hands it out, driven by
 * a client that speaks the protocol as session-manager-plugin does.
 */
const sim = await startSimulator();
const ecs = new ECSClient(sim.config);
const checks = new Checks("ssm");
const suffix = Date.now().toString(36);
const cluster = `ssm-${suffix}`;

async function run(session: SessionEndpoint, stdin?: string): Promise<SessionResult & { stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const signal = AbortSignal.timeout(30_000);
  const result = await runSession(session, { stdin, columns: 120, rows: 40, signal, onStdout: (d) => (stdout += d.toString()), onStderr: (d) => (stderr += d.toString()) }).catch((err: Error) => {
    throw signal.aborted ? new Error(`the session did not end within 30 s (did its command run while the session's input stayed open?); it printed ${JSON.stringify(stdout)}`) : err;
  });
  return { ...result, stdout, stderr };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the data channel to be refused, but the session ran");
}

const probe = await ecs.send(new ExecuteCommandCommand({ cluster, task: "0123456789abcdef0123456789abcdef", command: "ls /", interactive: true })).catch((e: Error) => e);
if (probe instanceof Error && probe.name === "UnknownOperationException") {
  process.stdout.write("SKIP ssm: ECS answers ExecuteCommand with UnknownOperationException, so no session can be opened yet\n");
} else {
  let taskArn = "";
  const execute = async (command: string) => {
    const out = await ecs.send(new ExecuteCommandCommand({ cluster, task: taskArn, container: "app", command, interactive: true }));
    assert(out.session?.sessionId && out.session.streamUrl && out.session.tokenValue, `ExecuteCommand answered no session: ${JSON.stringify(out)}`);
    return out.session as SessionEndpoint & { sessionId: string };
  };

  await checks.check("a task with execute command enabled runs a busybox image from ECR", async () => {
    const image = await pushTestImage(sim.config, `conformance/ssm-${suffix}`, "latest");
    const iam = new IAMClient(sim.config);
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const role = await iam.send(new CreateRoleCommand({ RoleName: `ssm-exec-${suffix}`, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    iam.destroy();
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `ssm-${suffix}`,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: "256",
        memory: "512",
        executionRoleArn: role.Role!.Arn,
        taskRoleArn: role.Role!.Arn,
        containerDefinitions: [{ name: "app", image, essential: true, command: ["sleep", "600"], stopTimeout: 2 }],
      }),
    );
    const started = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: td.taskDefinition!.taskDefinitionArn,
        launchType: "FARGATE",
        enableExecuteCommand: true,
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-12345678"] } },
      }),
    );
    taskArn = started.tasks![0].taskArn!;
    await waitFor("the task to run", async () => {
      const [t] = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks!;
      if (t.lastStatus === "STOPPED") throw new Error(`the task stopped: ${t.stoppedReason}`);
      return t.lastStatus === "RUNNING" ? t : undefined;
    });
  });

  await checks.check("ExecuteCommand's session runs `ls /` in the container over the data channel", async () => {
    const session = await execute("ls /");
    assert(/^ecs-execute-command-[0-9a-f]{17}$/.test(session.sessionId), `session id ${session.sessionId}`);
    assert(/^wss?:\/\/[^/]+\/v1\/data-channel\/ecs-execute-command-[0-9a-f]{17}\?role=publish_subscribe/.test(session.streamUrl), `stream URL ${session.streamUrl}`);
    const r = await run(session);
    const names = r.stdout.split(/\s+/);
    for (const dir of ["bin", "etc", "usr"]) assert(names.includes(dir), `ls / printed ${JSON.stringify(r.stdout)}`);
    // An interactive session runs on a terminal; the agent reports no exit code for it, and channel_closed says nothing.
    assertEqual({ exitCode: r.exitCode, closeMessage: r.closeMessage }, { exitCode: null, closeMessage: "" }, "end of the session");
  });

  await checks.check("an interactive shell takes its input over the data channel", async () => {
    const r = await run(await execute("/bin/sh"), "echo sum=$((6*7))\nexit\n");
    assert(r.stdout.includes("sum=42"), `the shell printed ${JSON.stringify(r.stdout)}`);
  });

  await checks.check("a wrong token is refused with 1003 and the right one still opens the session", async () => {
    const session = await execute("cat /etc/group");
    const wrong = await rejection(run({ ...session, tokenValue: `x${session.tokenValue.slice(1)}` }));
    assert(wrong.message.includes(`1003 Channel ${session.sessionId}:`), `refusal: ${wrong.message}`);
    assert((await run(session)).stdout.includes("root:x:0:"), "the session ran with its token");
  });

  await checks.check("a session's token opens it once", async () => {
    const session = await execute("cat /etc/group");
    await run(session);
    const again = await rejection(run(session));
    assert(again.message.includes("1003"), `second use: ${again.message}`);
  });

  await checks.check("StopTask ends the task the sessions ran in", async () => {
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
    await waitFor("the task to stop", async () => {
      const [t] = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks!;
      return t.lastStatus === "STOPPED" ? t : undefined;
    });
  });
}

ecs.destroy();
checks.finish();
await sim.stop();
