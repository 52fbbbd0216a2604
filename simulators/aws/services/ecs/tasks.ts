import { randomBytes, randomUUID } from "node:crypto";
import { AwsError, requireString } from "../../errors.js";
import type { JsonInput } from "../../request.js";
import type { JsonOperation, RoleDirectory } from "../../service.js";
import { taskIdOf, type Arns } from "./arns.js";
import { activeCluster } from "./clusters.js";
import { clientError, invalidParameter, optionalString, optionalStrings, page, tagsFrom } from "./common.js";
import type { TaskRunner } from "./runner.js";
import type { EcsStore } from "./store.js";
import { findTaskDefinition } from "./task-definitions.js";
import { epochSeconds, type Cluster, type Task, type TaskDefinition, type TaskOverride } from "./types.js";

/** The launch type a RunTask request resolves to: its own, its capacity providers', or the cluster's default, else EC2. */
function launchTypeOf(input: JsonInput, cluster: Cluster): string {
  const launchType = optionalString(input, "launchType");
  const strategy = (input.capacityProviderStrategy as { capacityProvider?: string }[] | undefined) ?? [];
  if (launchType && strategy.length > 0) throw invalidParameter("Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
  if (launchType) return launchType;
  const providers = strategy.length > 0 ? strategy : (cluster.defaultCapacityProviderStrategy as { capacityProvider?: string }[]);
  if (providers.length === 0) return "EC2";
  for (const p of providers) {
    if (p.capacityProvider !== "FARGATE" && p.capacityProvider !== "FARGATE_SPOT") throw invalidParameter(`The specified capacity provider ${p.capacityProvider} was not found.`);
  }
  return "FARGATE";
}

function overridesOf(input: JsonInput, td: TaskDefinition): TaskOverride {
  const given = (input.overrides ?? {}) as TaskOverride;
  for (const o of given.containerOverrides ?? []) {
    if (!td.containerDefinitions.some((d) => d.name === o.name)) throw invalidParameter(`Override for container named ${o.name} is not a container in the TaskDefinition.`);
  }
  return { ...given, containerOverrides: given.containerOverrides ?? [], inferenceAcceleratorOverrides: [] } as TaskOverride;
}

/** What a task's containers would need that the simulator does not provide; it refuses to run them rather than run them without it. */
function checkSupported(td: TaskDefinition): void {
  for (const d of td.containerDefinitions) {
    const missing = [
      (d.secrets as unknown[] | undefined)?.length ? "secrets" : "",
      (d.environmentFiles as unknown[] | undefined)?.length ? "environmentFiles" : "",
      (d.mountPoints as unknown[] | undefined)?.length ? "mountPoints" : "",
      (d.volumesFrom as unknown[] | undefined)?.length ? "volumesFrom" : "",
      d.logConfiguration && d.logConfiguration.logDriver !== "awslogs" ? `the ${d.logConfiguration.logDriver} log driver` : "",
    ].filter(Boolean);
    if (missing.length > 0) throw new AwsError("UnsupportedFeatureException", `The simulator does not run containers that use ${missing.join(", ")} (container ${d.name}).`);
  }
}

/** Fargate assumes the task's roles when it places it: each must exist. */
function checkRoles(roles: RoleDirectory, td: TaskDefinition, overrides: TaskOverride): void {
  for (const arn of [overrides.executionRoleArn ?? td.executionRoleArn, overrides.taskRoleArn ?? td.taskRoleArn]) {
    if (arn && !roles.exists(arn))
      throw clientError(
        `ECS was unable to assume the role '${arn}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.`,
      );
  }
}

/** What RunTask settled for the tasks it starts. */
interface Launch {
  cluster: Cluster;
  td: TaskDefinition;
  overrides: TaskOverride;
  launchType: string;
  startedBy?: string;
  group: string;
  enableExecuteCommand: boolean;
  region: string;
}

/** A task as RunTask records it: PROVISIONING, its containers PENDING, with a fresh ID. */
function newTask(arns: Arns, l: Launch): Task {
  const { cluster, td, overrides } = l;
  const id = randomBytes(16).toString("hex");
  const taskArn = arns.task(cluster.clusterName, id);
  return {
    taskArn,
    clusterArn: cluster.clusterArn,
    taskDefinitionArn: td.taskDefinitionArn,
    containers: td.containerDefinitions.map((d) => ({
      containerArn: arns.container(cluster.clusterName, id, randomUUID()),
      taskArn,
      name: d.name,
      image: d.image,
      lastStatus: "PENDING",
      networkBindings: [],
      networkInterfaces: [],
      ...(l.enableExecuteCommand ? { managedAgents: [{ name: "ExecuteCommandAgent", lastStatus: "PENDING" }] } : {}),
      cpu: String(d.cpu ?? 0),
      ...(d.memory !== undefined ? { memory: String(d.memory) } : {}),
      ...(d.memoryReservation !== undefined ? { memoryReservation: String(d.memoryReservation) } : {}),
    })),
    overrides,
    lastStatus: "PROVISIONING",
    desiredStatus: "RUNNING",
    launchType: l.launchType,
    platformVersion: "1.4.0",
    platformFamily: "Linux",
    ...((overrides.cpu ?? td.cpu) ? { cpu: overrides.cpu ?? td.cpu } : {}),
    ...((overrides.memory ?? td.memory) ? { memory: overrides.memory ?? td.memory } : {}),
    group: l.group,
    ...(l.startedBy !== undefined ? { startedBy: l.startedBy } : {}),
    enableExecuteCommand: l.enableExecuteCommand,
    version: 1,
    createdAt: epochSeconds(),
    availabilityZone: `${l.region}a`,
    attachments: [],
    attributes: [{ name: "ecs.cpu-architecture", value: process.arch === "arm64" ? "arm64" : "x86_64" }],
  };
}

/** RunTask, DescribeTasks, ListTasks, StopTask. */
export function taskOperations(store: EcsStore, arns: Arns, runner: TaskRunner, roles: RoleDirectory, region: string): Record<string, JsonOperation> {
  const withTags = (t: Task, include: boolean) => (include ? { ...t, tags: store.tagsOf(t.taskArn) } : t);
  const inCluster = (cluster: Cluster, ref: string) => {
    const t = store.task(taskIdOf(ref));
    return t && t.clusterArn === cluster.clusterArn ? t : undefined;
  };

  return {
    RunTask: (input) => {
      const cluster = activeCluster(store, optionalString(input, "cluster"));
      const td = findTaskDefinition(store, requireString(input, "taskDefinition"));
      if (!td) throw clientError("TaskDefinition not found.");
      if (td.status !== "ACTIVE") throw invalidParameter("TaskDefinition is inactive");
      const count = input.count === undefined ? 1 : Number(input.count);
      if (!Number.isInteger(count) || count < 1 || count > 10) throw invalidParameter("Count must be between 1 and 10.");
      const launchType = launchTypeOf(input, cluster);
      if (launchType !== "FARGATE") throw invalidParameter("No Container Instances were found in your cluster.");
      if (!td.compatibilities.includes("FARGATE")) throw invalidParameter("Task definition does not support launch_type FARGATE.");
      const vpc = (input.networkConfiguration as { awsvpcConfiguration?: { subnets?: string[] } } | undefined)?.awsvpcConfiguration;
      if (td.networkMode === "awsvpc" && !vpc) throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
      if (vpc && !(vpc.subnets ?? []).length) throw invalidParameter("subnets can not be empty.");
      checkSupported(td);
      const overrides = overridesOf(input, td);
      checkRoles(roles, td, overrides);
      const startedBy = optionalString(input, "startedBy");
      if (startedBy !== undefined && startedBy.length > 128) throw invalidParameter("startedBy must be at most 128 characters.");
      const propagate = optionalString(input, "propagateTags");
      const tags = [...(propagate === "TASK_DEFINITION" ? store.tagsOf(td.taskDefinitionArn) : []), ...tagsFrom(input)];

      const tasks: Task[] = [];
      for (let i = 0; i < count; i++) {
        const task = newTask(arns, { cluster, td, overrides, launchType, startedBy, group: optionalString(input, "group") ?? `family:${td.family}`, enableExecuteCommand: input.enableExecuteCommand === true, region });
        const { taskArn } = task;
        store.putTask(task);
        store.putTags(taskArn, tags);
        tasks.push({ ...structuredClone(task), tags: store.tagsOf(taskArn) });
        runner.start(task, td);
      }
      return { tasks, failures: [] };
    },

    DescribeTasks: (input) => {
      const cluster = activeCluster(store, optionalString(input, "cluster"));
      const refs = optionalStrings(input, "tasks") ?? [];
      if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
      if (refs.length > 100) throw invalidParameter("Tasks can have at most 100 items.");
      const include = (optionalStrings(input, "include") ?? []).includes("TAGS");
      const tasks = [];
      const failures = [];
      for (const ref of refs) {
        const t = inCluster(cluster, ref);
        if (t) tasks.push(withTags(t, include));
        else failures.push({ arn: ref.startsWith("arn:") ? ref : arns.task(cluster.clusterName, ref), reason: "MISSING" });
      }
      return { tasks, failures };
    },

    ListTasks: (input) => {
      const cluster = activeCluster(store, optionalString(input, "cluster"));
      const desired = optionalString(input, "desiredStatus") ?? "RUNNING";
      if (!["RUNNING", "PENDING", "STOPPED"].includes(desired)) throw invalidParameter(`Invalid desiredStatus: ${desired}`);
      const family = optionalString(input, "family");
      const startedBy = optionalString(input, "startedBy");
      const launchType = optionalString(input, "launchType");
      // No services or container instances exist here, so filtering by them leaves nothing.
      const none = optionalString(input, "serviceName") !== undefined || optionalString(input, "containerInstance") !== undefined;
      const rows = none
        ? []
        : store
            .tasksOf(cluster.clusterArn)
            .filter((t) => (desired === "PENDING" ? t.desiredStatus === "RUNNING" && t.lastStatus !== "RUNNING" : t.desiredStatus === desired))
            .filter((t) => (family === undefined || t.family === family) && (startedBy === undefined || t.startedBy === startedBy) && (launchType === undefined || t.launchType === launchType));
      const { items, nextToken } = page(rows, input);
      return { taskArns: items.map((t) => t.arn), ...(nextToken ? { nextToken } : {}) };
    },

    StopTask: (input) => {
      const cluster = activeCluster(store, optionalString(input, "cluster"));
      const ref = requireString(input, "task");
      const stored = inCluster(cluster, ref);
      if (!stored) throw invalidParameter("The referenced task was not found.");
      const reason = optionalString(input, "reason") || "Task stopped by user";
      const task = runner.stop(taskIdOf(ref), "UserInitiated", reason) ?? stored;
      return { task: { ...structuredClone(task), tags: store.tagsOf(task.taskArn) } };
    },
  };
}
