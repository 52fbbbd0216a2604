import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import type { EcsStore } from "./store.js";
import type { ContainerDefinition, Task, TaskDefinition } from "./types.js";

/** What the endpoint knows of one container beyond the task's record. */
interface Registered {
  taskId: string;
  def: ContainerDefinition;
  td: TaskDefinition;
  dockerName: string;
  imageId: string;
  labels: Record<string, string>;
  createdAt: string;
}

const PREFIX = "/_sockerless/ecs/metadata/v4";
const iso = (seconds?: number) => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());

/**
 * The task metadata endpoint (version 4) each container finds in
 * ECS_CONTAINER_METADATA_URI_V4: its own and its task's metadata from the
 * task's record, on the simulator's port. Statistics are not simulated.
 */
export class TaskMetadata {
  private readonly containers = new Map<string, Registered>();

  constructor(
    private readonly store: EcsStore,
    private readonly endpoint: string,
  ) {}

  /** The URI a container of a task reads its metadata at. */
  register(entry: Omit<Registered, "createdAt">): string {
    const token = randomBytes(16).toString("hex");
    this.containers.set(token, { ...entry, createdAt: new Date().toISOString() });
    return `${this.endpoint}${PREFIX}/${token}`;
  }

  routes(app: Hono): void {
    const found = (token: string) => {
      const entry = this.containers.get(token);
      const task = entry && this.store.task(entry.taskId);
      return entry && task ? { entry, task } : undefined;
    };
    const missing = { message: "no container has this metadata URI" };
    app.get(`${PREFIX}/:token`, (c) => {
      const f = found(c.req.param("token"));
      return f ? c.json(this.container(f.task, f.entry)) : c.json(missing, 404);
    });
    app.get(`${PREFIX}/:token/task`, (c) => {
      const f = found(c.req.param("token"));
      if (!f) return c.json(missing, 404);
      const { task, entry } = f;
      const others = [...this.containers.values()].filter((e) => e.taskId === entry.taskId);
      return c.json({
        Cluster: task.clusterArn,
        TaskARN: task.taskArn,
        Family: entry.td.family,
        Revision: String(entry.td.revision),
        DesiredStatus: task.desiredStatus,
        KnownStatus: task.lastStatus,
        ...(task.cpu || task.memory ? { Limits: { ...(task.cpu ? { CPU: Number(task.cpu) / 1024 } : {}), ...(task.memory ? { Memory: Number(task.memory) } : {}) } } : {}),
        PullStartedAt: iso(task.pullStartedAt),
        PullStoppedAt: iso(task.pullStoppedAt),
        AvailabilityZone: task.availabilityZone,
        LaunchType: task.launchType,
        Containers: others.map((e) => this.container(task, e)),
      });
    });
    app.get(`${PREFIX}/:token/*`, (c) => c.json({ message: "container and task statistics are not simulated" }, 404));
  }

  private container(task: Task, e: Registered) {
    const c = task.containers.find((x) => x.name === e.def.name)!;
    return {
      DockerId: c.runtimeId,
      Name: c.name,
      DockerName: e.dockerName,
      Image: c.image,
      ImageID: e.imageId,
      Labels: e.labels,
      DesiredStatus: task.desiredStatus,
      KnownStatus: c.lastStatus,
      ...(c.exitCode !== undefined ? { ExitCode: c.exitCode } : {}),
      Limits: { CPU: e.def.cpu ?? 0, ...(e.def.memory ? { Memory: e.def.memory } : {}) },
      CreatedAt: e.createdAt,
      ...(task.startedAt ? { StartedAt: iso(task.startedAt) } : {}),
      Type: "NORMAL",
      ContainerARN: c.containerArn,
      ...(e.def.logConfiguration ? { LogDriver: e.def.logConfiguration.logDriver, LogOptions: e.def.logConfiguration.options ?? {} } : {}),
    };
  }

  /** Forgets a task's containers once it has stopped. */
  forget(taskId: string): void {
    for (const [token, e] of this.containers) if (e.taskId === taskId) this.containers.delete(token);
  }
}
