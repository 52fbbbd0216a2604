import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TestRegistry } from "../../../../engine/registry/testing.js";
import { startSimTestbed } from "../../testbed.js";
import { registryWithBusybox } from "./testing.js";

let dir: string;
let registry: TestRegistry;
let image: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecs-persist-test-"));
  ({ registry, image } = await registryWithBusybox(join(dir, "push")));
}, 60_000);
afterAll(async () => {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

async function describeTask(ecs: ECSClient, arn: string): Promise<Task> {
  return (await ecs.send(new DescribeTasksCommand({ cluster: "kept", tasks: [arn] }))).tasks![0];
}

it("keeps clusters, definitions and tasks across a restart; a task that was running is recorded STOPPED with the reason", async () => {
  const first = await startSimTestbed(join(dir, "sim"));
  const ecs = new ECSClient(first.config);
  await ecs.send(new CreateClusterCommand({ clusterName: "kept" }));
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "long",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "main", image, command: ["sleep", "1000"] }],
    }),
  );
  const run = await ecs.send(new RunTaskCommand({ cluster: "kept", taskDefinition: "long", launchType: "FARGATE", networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } } }));
  const arn = run.tasks![0].taskArn!;
  for (let delay = 10; (await describeTask(ecs, arn)).lastStatus !== "RUNNING"; delay = Math.min(delay * 2, 200)) await new Promise((r) => setTimeout(r, delay));
  ecs.destroy();
  await first.close();

  const second = await startSimTestbed(join(dir, "sim"));
  const again = new ECSClient(second.config);
  try {
    const task = await describeTask(again, arn);
    expect(task).toMatchObject({ lastStatus: "STOPPED", desiredStatus: "STOPPED", stoppedReason: expect.stringMatching(/simulator stopped while the task was running/) });
    expect(task.containers![0]).toMatchObject({ lastStatus: "STOPPED" });
    expect(task.stoppedAt).toBeInstanceOf(Date);
    expect((await again.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns).toEqual([td.taskDefinition!.taskDefinitionArn]);
  } finally {
    again.destroy();
    await second.close();
  }
}, 60_000);
