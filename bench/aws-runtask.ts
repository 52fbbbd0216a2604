import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { parseArgs } from "node:util";
import { pushTestImage } from "../conformance/aws/images.js";
import { startSimulator } from "../conformance/aws/harness.js";
import { median, percentile } from "./measure.js";

/**
 * ECS RunTask on the AWS simulator, one task after another: RunTask, then
 * DescribeTasks until the task is STOPPED, then GetLogEvents until its line
 * is readable. Prints the wall time per task (real Fargate takes 30-60 s).
 */
const { values } = parseArgs({ options: { tasks: { type: "string", default: "100" }, backend: { type: "string" } }, strict: true });
const tasks = Number(values.tasks);
const sim = await startSimulator(values.backend ? ["--backend", values.backend] : []);
const ecs = new ECSClient(sim.config);
const logs = new CloudWatchLogsClient(sim.config);
try {
  const image = await pushTestImage(sim.config, "bench/busybox", "latest");
  await ecs.send(new CreateClusterCommand({ clusterName: "bench" }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/bench/runtask" }));
  const role = await new IAMClient(sim.config).send(new CreateRoleCommand({ RoleName: "bench-execution", AssumeRolePolicyDocument: "{}" }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "bench",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      executionRoleArn: role.Role!.Arn,
      containerDefinitions: [
        {
          name: "app",
          image,
          essential: true,
          command: ["sh", "-c", "echo task done"],
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/bench/runtask", "awslogs-region": sim.config.region, "awslogs-stream-prefix": "bench" } },
        },
      ],
    }),
  );
  const network = { awsvpcConfiguration: { subnets: ["subnet-bench"] } };
  const times: number[] = [];
  for (let i = 0; i < tasks; i++) {
    const started = performance.now();
    const run = await ecs.send(new RunTaskCommand({ cluster: "bench", taskDefinition: "bench", launchType: "FARGATE", networkConfiguration: network }));
    const taskArn = run.tasks![0].taskArn!;
    const taskId = taskArn.split("/").pop()!;
    for (;;) {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster: "bench", tasks: [taskArn] }))).tasks![0];
      if (t.lastStatus === "STOPPED") {
        if (t.containers![0].exitCode !== 0) throw new Error(`task ${taskId} exited ${t.containers![0].exitCode}: ${t.stoppedReason}`);
        break;
      }
    }
    for (;;) {
      const events = await logs.send(new GetLogEventsCommand({ logGroupName: "/bench/runtask", logStreamName: `bench/app/${taskId}`, startFromHead: true })).catch(() => undefined);
      if (events?.events?.some((e) => e.message === "task done")) break;
    }
    times.push((performance.now() - started) / 1000);
  }
  const total = times.reduce((a, b) => a + b, 0);
  process.stdout.write(
    `ECS RunTask -> STOPPED with its log line read, ${tasks} tasks one after another on the ${values.backend ?? "sandbox"} backend:\n` +
      `  per task: median ${median(times).toFixed(3)} s, p95 ${percentile(times, 95).toFixed(3)} s, mean ${(total / tasks).toFixed(3)} s; total ${total.toFixed(1)} s (real Fargate: 30-60 s)\n`,
  );
} finally {
  ecs.destroy();
  logs.destroy();
  await sim.stop();
}
