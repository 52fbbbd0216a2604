import { randomBytes } from "node:crypto";
import { familiarName, parseReference } from "../../../../engine/images/reference.js";
import type { SimContext } from "../../service.js";
import type { PullSource, Workload, WorkloadExit, WorkloadSpec } from "../../workloads.js";
import { AwsLogsDriver, MISSING_LOG_GROUP } from "./awslogs.js";
import type { TaskMetadata } from "./metadata.js";
import { ContainerOrder } from "./ordering.js";
import type { EcsStore } from "./store.js";
import { epochSeconds, type Container, type ContainerDefinition, type KeyValuePair, type Task, type TaskDefinition } from "./types.js";

/** ECS's default time between SIGTERM and SIGKILL when a container definition sets no stopTimeout. */
const DEFAULT_STOP_TIMEOUT = 30;

/** A task whose containers this simulator is running (or about to). */
interface LiveTask {
  task: Task;
  td: TaskDefinition;
  /** Its running containers' workloads, by container name. */
  workloads: Map<string, Workload>;
  /** While the task is pulling and starting its containers. */
  launching: boolean;
  stopping: boolean;
}

const taskIdOfArn = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

/**
 * Runs tasks: pulls their images, starts each container on the workload
 * host, routes awslogs output to CloudWatch Logs, follows the containers'
 * exits through ECS's task states, and stops them when asked or when an
 * essential container exits.
 */
export class TaskRunner {
  private readonly live = new Map<string, LiveTask>();
  private closed = false;

  constructor(
    private readonly ctx: SimContext,
    private readonly store: EcsStore,
    private readonly metadata: TaskMetadata,
  ) {}

  /** Starts a task recorded as PROVISIONING; its progress lands in the store. */
  start(task: Task, td: TaskDefinition): void {
    const live: LiveTask = { task, td, workloads: new Map(), launching: true, stopping: false };
    this.live.set(taskIdOfArn(task.taskArn), live);
    this.launch(live)
      .finally(() => {
        live.launching = false;
        this.finishIfDone(live);
      })
      .catch((err) => this.failStart(live, `ResourceInitializationError: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** The running workload of a task's container, for ExecuteCommand. */
  workload(taskId: string, container: string): Workload | undefined {
    return this.live.get(taskId)?.workloads.get(container);
  }

  /** Asks a task to stop: SIGTERM to its containers, SIGKILL after their stopTimeout. Returns the task as it now is. */
  stop(taskId: string, stopCode: string, reason: string): Task | undefined {
    const live = this.live.get(taskId);
    if (!live) return undefined;
    this.beginStop(live, stopCode, reason);
    return live.task;
  }

  /** Tasks left unfinished by a previous run of the simulator died with it: they are recorded as STOPPED. */
  recover(): void {
    for (const task of this.store.unfinishedTasks()) {
      const now = epochSeconds();
      for (const c of task.containers) {
        // Its container, if the workload host still records one, is of no further use.
        if (c.runtimeId && c.lastStatus !== "STOPPED")
          this.ctx.workloads.engine.containers.remove(c.runtimeId, { force: true }).catch((err) => this.ctx.log.debug({ err, container: c.runtimeId }, "the container of an ECS task ended by a restart is gone already"));
        if (c.lastStatus !== "STOPPED") Object.assign(c, { lastStatus: "STOPPED", reason: "The simulator stopped while the container was running; its process ended with it." });
        for (const agent of c.managedAgents ?? []) agent.lastStatus = "STOPPED";
      }
      Object.assign(task, {
        desiredStatus: "STOPPED",
        lastStatus: "STOPPED",
        stoppedReason: "The simulator stopped while the task was running; its containers ended with it and cannot be resumed.",
        stoppingAt: task.stoppingAt ?? now,
        executionStoppedAt: task.executionStoppedAt ?? now,
        stoppedAt: now,
        version: task.version + 1,
      });
      this.store.putTask(task);
    }
  }

  close(): void {
    this.closed = true;
  }

  private save(live: LiveTask): void {
    if (this.closed) return;
    live.task.version++;
    this.store.putTask(live.task);
  }

  private container(live: LiveTask, name: string): Container {
    return live.task.containers.find((c) => c.name === name)!;
  }

  private async launch(live: LiveTask): Promise<void> {
    const { task, td } = live;
    const taskId = taskIdOfArn(task.taskArn);
    const drivers = new Map<string, AwsLogsDriver>();
    for (const def of td.containerDefinitions) {
      const options = def.logConfiguration?.logDriver === "awslogs" ? (def.logConfiguration.options ?? {}) : undefined;
      if (!options) continue;
      const group = options["awslogs-group"];
      if (!this.ctx.logs.groupExists(group)) {
        if (options["awslogs-create-group"] !== "true") return this.failStart(live, MISSING_LOG_GROUP);
        this.ctx.logs.createGroup(group);
      }
      drivers.set(def.name, AwsLogsDriver.for(def, this.ctx.logs, this.ctx.log, taskId)!);
    }

    task.lastStatus = "PENDING";
    task.pullStartedAt = epochSeconds();
    this.save(live);
    const sources = new Map<string, PullSource>();
    for (const def of td.containerDefinitions) {
      if (sources.has(def.image)) continue;
      const owned = this.ctx.registry.owns(def.image);
      sources.set(def.image, owned ? { reference: this.ctx.registry.localReference(def.image), auth: this.ctx.registry.pullCredentials() } : { reference: def.image, auth: {} });
    }
    for (const [image, source] of sources) {
      try {
        await this.ctx.workloads.pull(source);
      } catch (err) {
        const reason = `CannotPullContainerError: failed to resolve ref ${image}: ${err instanceof Error ? err.message : String(err)}`;
        for (const def of td.containerDefinitions) if (def.image === image) this.container(live, def.name).reason = reason;
        return this.failStart(live, reason);
      }
    }
    task.pullStoppedAt = epochSeconds();
    for (const c of task.containers) c.imageDigest = this.digestOf(sources.get(c.image)!.reference);
    this.save(live);

    // Containers start together, each once its dependsOn conditions are met.
    const order = new ContainerOrder(td.containerDefinitions);
    await Promise.all(
      td.containerDefinitions.map((def) =>
        this.startContainer(live, def, order, drivers.get(def.name), sources.get(def.image)!.reference).finally(() => order.started(def.name, live.workloads.has(def.name) || this.container(live, def.name).exitCode !== undefined)),
      ),
    );
    if (!live.stopping) {
      const now = epochSeconds();
      Object.assign(task, { lastStatus: "RUNNING", startedAt: now, connectivity: "CONNECTED", connectivityAt: now });
    }
    this.save(live);
  }

  /** Starts one container when its dependencies allow; a container that cannot start fails the task if it is essential. */
  private async startContainer(live: LiveTask, def: ContainerDefinition, order: ContainerOrder, driver: AwsLogsDriver | undefined, image: string): Promise<void> {
    const container = this.container(live, def.name);
    const unmet = await order.unmet(def);
    if (live.stopping) return;
    if (unmet) {
      Object.assign(container, { lastStatus: "STOPPED", reason: `CannotStartContainerError: ${unmet}` });
      if (def.essential !== false) this.failStart(live, container.reason!);
      return;
    }
    let workload: Workload;
    try {
      workload = await this.ctx.workloads.run(this.specOf(live, def, image), (stream, data) => driver?.write(stream, data));
    } catch (err) {
      Object.assign(container, { lastStatus: "STOPPED", reason: `CannotCreateContainerError: ${err instanceof Error ? err.message : String(err)}` });
      return this.failStart(live, container.reason!);
    }
    const early = await Promise.race([workload.exited, Promise.resolve(undefined)]);
    container.runtimeId = workload.id;
    if (early && early.error !== "") {
      Object.assign(container, { lastStatus: "STOPPED", reason: `CannotStartContainerError: ${early.error}` });
      return this.failStart(live, container.reason!);
    }
    driver?.started(workload.id);
    container.lastStatus = "RUNNING";
    for (const agent of container.managedAgents ?? []) Object.assign(agent, { lastStatus: "RUNNING", lastStartedAt: epochSeconds() });
    live.workloads.set(def.name, workload);
    workload.exited
      .then((exit) => {
        order.exited(def.name, exit);
        return this.exited(live, def, workload, exit, driver);
      })
      .catch((err) => this.ctx.log.error({ err }, "an ECS container's exit was not recorded"));
    // A stop that came while this container was being created did not reach it.
    if (live.stopping) workload.stop(stopTimeoutOf(def), "SIGTERM").catch((err) => this.ctx.log.warn({ err }, "an ECS container could not be stopped"));
  }

  private specOf(live: LiveTask, def: ContainerDefinition, image: string): WorkloadSpec {
    const { task, td } = live;
    const override = task.overrides.containerOverrides?.find((o) => o.name === def.name);
    const name = `ecs-${td.family}-${td.revision}-${def.name}-${randomBytes(8).toString("hex")}`;
    const labels = {
      "com.amazonaws.ecs.cluster": task.clusterArn,
      "com.amazonaws.ecs.container-name": def.name,
      "com.amazonaws.ecs.task-arn": task.taskArn,
      "com.amazonaws.ecs.task-definition-family": td.family,
      "com.amazonaws.ecs.task-definition-version": String(td.revision),
    };
    const metadataUri = this.metadata.register({ taskId: taskIdOfArn(task.taskArn), def, td, dockerName: name, imageId: this.imageIdOf(image), labels });
    // What Fargate sets in every container, under the definition's and the overrides' own.
    const env = new Map<string, string>([
      ["AWS_EXECUTION_ENV", "AWS_ECS_FARGATE"],
      ["AWS_REGION", this.ctx.region],
      ["AWS_DEFAULT_REGION", this.ctx.region],
      ["ECS_CONTAINER_METADATA_URI_V4", metadataUri],
    ]);
    for (const kv of [...(def.environment ?? []), ...(override?.environment ?? [])] as KeyValuePair[]) env.set(kv.name, kv.value);
    const memory = override?.memory ?? def.memory;
    const command = override?.command ?? def.command;
    return {
      name,
      image,
      ...(def.entryPoint ? { entrypoint: def.entryPoint } : {}),
      ...(command ? { command } : {}),
      env: [...env].map(([k, v]) => `${k}=${v}`),
      ...(def.workingDirectory ? { workingDir: def.workingDirectory } : {}),
      ...(def.user ? { user: def.user } : {}),
      tty: Boolean(def.pseudoTerminal),
      labels,
      memoryBytes: memory ? memory * 1024 * 1024 : 0,
      grantUrls: [metadataUri],
    };
  }

  private imageIdOf(reference: string): string {
    try {
      return this.ctx.workloads.engine.images.resolve(reference).id;
    } catch {
      return "";
    }
  }

  /** The manifest digest the pulled image came by, as the container's imageDigest. */
  private digestOf(reference: string): string | undefined {
    try {
      const name = familiarName(parseReference(reference));
      const image = this.ctx.workloads.engine.images.resolve(reference);
      return image.digests.find((d) => d.startsWith(`${name}@`))?.slice(name.length + 1);
    } catch {
      return undefined;
    }
  }

  private async exited(live: LiveTask, def: ContainerDefinition, workload: Workload, exit: WorkloadExit, driver: AwsLogsDriver | undefined): Promise<void> {
    driver?.flush();
    if (this.closed) return;
    const container = this.container(live, def.name);
    container.lastStatus = "STOPPED";
    container.exitCode = exit.exitCode;
    if (exit.oomKilled) container.reason = "OutOfMemoryError: Container killed due to memory usage";
    else if (exit.error) container.reason = exit.error;
    live.workloads.delete(def.name);
    if (def.essential !== false) this.beginStop(live, "EssentialContainerExited", "Essential container in task exited");
    if (!this.finishIfDone(live)) this.save(live);
    // Recorded, the container has nothing more to give: the workload host lets it go.
    await workload.remove().catch((err) => this.ctx.log.warn({ err }, "a finished ECS container could not be removed from the workload host"));
  }

  private beginStop(live: LiveTask, stopCode: string, reason: string): void {
    const { task } = live;
    if (live.stopping) return;
    live.stopping = true;
    Object.assign(task, { desiredStatus: "STOPPED", stopCode, stoppedReason: reason, stoppingAt: epochSeconds() });
    if (task.lastStatus === "RUNNING") task.lastStatus = "DEACTIVATING";
    for (const [name, workload] of live.workloads) {
      const def = live.td.containerDefinitions.find((d) => d.name === name)!;
      workload.stop(stopTimeoutOf(def), "SIGTERM").catch((err) => this.ctx.log.warn({ err }, "an ECS container could not be stopped"));
    }
    if (task.lastStatus === "DEACTIVATING") task.lastStatus = "STOPPING";
    this.save(live);
  }

  /** A task that failed before its containers ran: STOPPED with the reason, as ECS's TaskFailedToStart. */
  private failStart(live: LiveTask, reason: string): void {
    if (this.closed) return;
    this.beginStop(live, "TaskFailedToStart", reason);
    this.finishIfDone(live);
  }

  /** Records the task STOPPED once no container is left to start or running; true when it did. */
  private finishIfDone(live: LiveTask): boolean {
    if (this.closed || !live.stopping || live.launching || live.workloads.size > 0) return false;
    const { task } = live;
    const now = epochSeconds();
    for (const c of task.containers) {
      c.lastStatus = "STOPPED";
      for (const agent of c.managedAgents ?? []) agent.lastStatus = "STOPPED";
    }
    Object.assign(task, { lastStatus: "STOPPED", desiredStatus: "STOPPED", executionStoppedAt: now, stoppedAt: now });
    this.live.delete(taskIdOfArn(task.taskArn));
    this.metadata.forget(taskIdOfArn(task.taskArn));
    this.save(live);
    return true;
  }
}

function stopTimeoutOf(def: ContainerDefinition): number {
  return def.stopTimeout ?? DEFAULT_STOP_TIMEOUT;
}
