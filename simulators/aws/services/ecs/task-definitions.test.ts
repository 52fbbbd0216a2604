import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimTestbed, type SimTestbed } from "../../testbed.js";

let dir: string;
let sim: SimTestbed;
let ecs: ECSClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecs-td-test-"));
  sim = await startSimTestbed(dir);
  ecs = new ECSClient(sim.config);
});
afterAll(async () => {
  ecs.destroy();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const fargate = (family: string, extra: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
  family,
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "256",
  memory: "512",
  containerDefinitions: [{ name: "app", image: "busybox" }],
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  throw new Error("the call succeeded");
}

describe("ECS clusters", () => {
  it("creates, describes, lists and deletes clusters; CreateCluster without a name makes default", async () => {
    const created = await ecs.send(new CreateClusterCommand({ clusterName: "c1", tags: [{ key: "team", value: "a" }] }));
    expect(created.cluster).toMatchObject({ clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c1", clusterName: "c1", status: "ACTIVE", runningTasksCount: 0 });
    expect((await ecs.send(new CreateClusterCommand({}))).cluster?.clusterName).toBe("default");
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ["c1", "nope"], include: ["TAGS"] }));
    expect(described.clusters?.map((c) => c.clusterName)).toEqual(["c1"]);
    expect(described.clusters?.[0].tags).toEqual([{ key: "team", value: "a" }]);
    expect(described.failures).toEqual([{ arn: "arn:aws:ecs:us-east-1:123456789012:cluster/nope", reason: "MISSING" }]);
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toContain(created.cluster!.clusterArn);
    const deleted = await ecs.send(new DeleteClusterCommand({ cluster: created.cluster!.clusterArn }));
    expect(deleted.cluster?.status).toBe("INACTIVE");
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).not.toContain(created.cluster!.clusterArn);
    expect(await failure(ecs.send(new DeleteClusterCommand({ cluster: "c1" })))).toEqual({ name: "ClusterNotFoundException", message: "Cluster not found." });
  });
});

describe("ECS in the simulator's health", () => {
  it("names what it does not simulate", async () => {
    const health = (await (await fetch(`${sim.endpoint}/_sockerless/health`)).json()) as { services: Record<string, { operations: string[]; notSimulated: string[] }> };
    expect(health.services.ecs.operations).toContain("RunTask");
    expect(health.services.ecs.notSimulated.some((s) => s.startsWith("awsvpc networking"))).toBe(true);
  });
});

describe("ECS task definitions", () => {
  it("registers revisions 1, 2, … with ECS's defaults and describes them by family, family:revision and ARN", async () => {
    const one = await ecs.send(new RegisterTaskDefinitionCommand(fargate("web", { tags: [{ key: "k", value: "v" }] })));
    const two = await ecs.send(new RegisterTaskDefinitionCommand(fargate("web")));
    expect(one.taskDefinition).toMatchObject({ taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1", revision: 1, status: "ACTIVE", compatibilities: ["EC2", "FARGATE"] });
    expect(one.taskDefinition?.containerDefinitions?.[0]).toMatchObject({ essential: true, cpu: 0, environment: [], portMappings: [] });
    expect(one.taskDefinition?.registeredAt).toBeInstanceOf(Date);
    expect(one.tags).toEqual([{ key: "k", value: "v" }]);
    expect(two.taskDefinition?.revision).toBe(2);
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }))).taskDefinition?.revision).toBe(2);
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:1", include: ["TAGS"] }))).tags).toEqual([{ key: "k", value: "v" }]);
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: one.taskDefinition!.taskDefinitionArn }))).taskDefinition?.revision).toBe(1);
    expect(await failure(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:9" })))).toEqual({ name: "ClientException", message: "Unable to describe task definition." });
  });

  it("refuses Fargate definitions as ECS does", async () => {
    const cases: [Partial<RegisterTaskDefinitionCommandInput>, string][] = [
      [{ networkMode: "bridge" }, "Fargate only supports network mode \u2018awsvpc\u2019."],
      [{ cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level."],
      [{ memory: undefined }, "Fargate requires that 'memory' be defined at the task level."],
      [{ cpu: "1024", memory: "1024" }, "No Fargate configuration exists for given values: 1024 CPU, 1024 memory. See the Amazon ECS documentation for the valid values."],
      [
        { containerDefinitions: [{ name: "app", image: "busybox", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "g", "awslogs-region": "us-east-1" } } }] },
        "Fargate requires task definition to have execution role ARN to support log driver awslogs.",
      ],
      [{ containerDefinitions: [] }, "Container list cannot be empty."],
      [{ containerDefinitions: [{ name: "app" }] }, "Container.image should not be null or empty."],
    ];
    for (const [change, message] of cases) {
      expect(await failure(ecs.send(new RegisterTaskDefinitionCommand(fargate("bad", change))))).toEqual({ name: "ClientException", message });
    }
    const sized = await ecs.send(new RegisterTaskDefinitionCommand(fargate("sized", { cpu: "1 vCPU", memory: "2 GB" })));
    expect(sized.taskDefinition).toMatchObject({ cpu: "1024", memory: "2048" });
  });

  it("lists definitions and families, deregisters to INACTIVE and deletes only INACTIVE ones", async () => {
    for (let i = 0; i < 3; i++) await ecs.send(new RegisterTaskDefinitionCommand(fargate("lister")));
    const arn = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/lister:${n}`;
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "lister", sort: "DESC" }))).taskDefinitionArns).toEqual([arn(3), arn(2), arn(1)]);
    const first = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "lister", maxResults: 2 }));
    expect(first.taskDefinitionArns).toEqual([arn(1), arn(2)]);
    const second = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "lister", maxResults: 2, nextToken: first.nextToken }));
    expect(second.taskDefinitionArns).toEqual([arn(3)]);
    expect(second.nextToken).toBeUndefined();

    const deregistered = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "lister:1" }));
    expect(deregistered.taskDefinition).toMatchObject({ status: "INACTIVE" });
    expect(deregistered.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "lister", status: "INACTIVE" }))).taskDefinitionArns).toEqual([arn(1)]);

    const deleted = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["lister:1", "lister:2", "lister:99"] }));
    expect(deleted.taskDefinitions?.map((t) => [t.taskDefinitionArn, t.status])).toEqual([[arn(1), "DELETE_IN_PROGRESS"]]);
    expect(deleted.failures).toEqual([
      { arn: "lister:2", reason: "The specified task definition is still in ACTIVE status. Please deregister the target and try again." },
      { arn: "lister:99", reason: "The specified task definition does not exist. Specify a valid account, family, revision and try again." },
    ]);

    await ecs.send(new RegisterTaskDefinitionCommand(fargate("gone")));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "gone:1" }));
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "gon" }))).families).toEqual(["gone"]);
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "gon", status: "ACTIVE" }))).families).toEqual([]);
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "gon", status: "INACTIVE" }))).families).toEqual(["gone"]);
    expect((await ecs.send(new RegisterTaskDefinitionCommand(fargate("gone")))).taskDefinition?.revision).toBe(2);
  });

  it("tags clusters and task definitions", async () => {
    const td = (await ecs.send(new RegisterTaskDefinitionCommand(fargate("tagged")))).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new TagResourceCommand({ resourceArn: td, tags: [{ key: "a", value: "1" }, { key: "b", value: "2" }] }));
    await ecs.send(new UntagResourceCommand({ resourceArn: td, tagKeys: ["a"] }));
    expect((await ecs.send(new ListTagsForResourceCommand({ resourceArn: td }))).tags).toEqual([{ key: "b", value: "2" }]);
    const missing = await failure(ecs.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:ecs:us-east-1:123456789012:cluster/none" })));
    expect(missing.name).toBe("ClusterNotFoundException");
  });
});
