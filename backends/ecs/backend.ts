import { CloudWatchLogsClient, CreateLogGroupCommand, ResourceAlreadyExistsException } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ProcessStartError, type Backend, type BackendFactory, type ContainerFiles, type ContainerSpec, type ImageSource, type ProcessHandle, type ProcessSpec } from "../backend.js";
import { startExec } from "./exec.js";
import { withTaskFiles } from "./files.js";
import { EcrImages, ecrHost } from "../aws/ecr-images.js";
import { parseEcsOptions, type EcsOptions } from "./options.js";
import { deleteLogStreams, deleteTaskDefinitions } from "./cleanup.js";
import { familyOf, logStreamOf, taskDefinition, taskTags } from "./task-definition.js";
import { describeTask, exitOf, TaskProcess, untilExecReady, untilStarted, type TaskRef } from "./task-process.js";
import { TaskRecords } from "./task-records.js";

/**
 * Containers as ECS tasks on Fargate: each start registers a task
 * definition and runs it; output comes from CloudWatch Logs, the exit code
 * from DescribeTasks, execs through ECS Exec. Images are pushed to ECR first.
 * Which task a container runs, and how far its output was read, is kept in
 * the data directory, so a restarted daemon follows its tasks on.
 */
class EcsBackend implements Backend {
  private readonly ecs: ECSClient;
  private readonly logs: CloudWatchLogsClient;
  private readonly ecr: ECRClient;
  private readonly images: EcrImages;
  private readonly tasks: TaskRecords;
  private logGroup: Promise<void> | undefined;
  private readonly closing = new AbortController();

  constructor(
    private readonly options: EcsOptions,
    dataDir: string,
  ) {
    this.tasks = new TaskRecords(dataDir);
    const config = { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
    this.ecs = new ECSClient(config);
    this.logs = new CloudWatchLogsClient(config);
    this.ecr = new ECRClient(config);
    // The simulator's registry answers on its endpoint's host.
    const pullable = [...options.registries, ...(options.endpoint ? [new URL(options.endpoint).host] : [])];
    const anyEcr = ecrHost();
    this.images = new EcrImages(this.ecr, options.repository, (host) => anyEcr.test(host) || pullable.includes(host));
  }

  describe() {
    return {
      name: "ecs",
      summary: `containers run as ECS tasks on Fargate in cluster ${this.options.cluster} (${this.options.region}); their output comes from CloudWatch Logs as stdout (awslogs does not keep stderr apart)`,
      version: "1",
      capabilities: {
        run: true,
        exec: true,
        attach: false,
        archive: true,
        archiveNotRunning: false,
        export: false,
        pause: false,
        publishPorts: false,
        networking: false,
        mounts: false,
        signals: false,
        stderr: false,
        rawOutput: false,
        filesPersist: false,
        hostname: false,
        groupAdd: false,
        execUser: false,
        execInputEnds: false,
        resources: ["Memory"],
      },
    };
  }

  useImages(source: ImageSource): void {
    this.images.use(source);
  }

  async createContainer(): Promise<void> {
    // Nothing exists on AWS before the first start.
  }

  withFiles<T>(container: ContainerSpec, use: (files: ContainerFiles) => Promise<T>): Promise<T> {
    const taskArn = this.tasks.get(container.id)?.taskArn;
    return withTaskFiles(taskArn ? this.taskRef(container.id, taskArn) : undefined, use);
  }

  startProcess(container: ContainerSpec, process: ProcessSpec, exec: boolean): Promise<ProcessHandle> {
    return exec ? this.startExec(container, process) : this.startTask(container, process);
  }

  private async startTask(spec: ContainerSpec, process: ProcessSpec): Promise<ProcessHandle> {
    const [image] = await Promise.all([this.images.ensure(spec.image, spec.repoDigests), this.ensureLogGroup()]);
    const registered = await this.ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(spec, process, image, this.options)));
    const definitionArn = registered.taskDefinition!.taskDefinitionArn!;
    const run = await this.ecs.send(
      new RunTaskCommand({
        cluster: this.options.cluster,
        taskDefinition: definitionArn,
        launchType: "FARGATE",
        enableExecuteCommand: true,
        networkConfiguration: {
          awsvpcConfiguration: { subnets: this.options.subnets, ...(this.options.securityGroups.length ? { securityGroups: this.options.securityGroups } : {}), assignPublicIp: this.options.assignPublicIp },
        },
        tags: taskTags(spec),
      }),
    );
    const taskArn = run.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const failure = run.failures?.[0];
      throw new ProcessStartError(`ECS could not run the task: ${failure?.reason ?? "no task"}${failure?.detail ? ` (${failure.detail})` : ""}`, 128);
    }
    this.tasks.put(spec.id, { taskArn });
    const ref = this.taskRef(spec.id, taskArn);
    const started = await untilStarted(ref);
    // A container that never ran (its image could not be pulled, ...) did not start.
    if (started.lastStatus === "STOPPED" && started.containers?.[0]?.exitCode == null) throw new ProcessStartError(exitOf(started).error ?? "the task stopped before it ran", 128);
    return this.follow(spec.id, taskArn);
  }

  /** Follows the task from where its output was last read. */
  private follow(containerId: string, taskArn: string): TaskProcess {
    const ref = this.taskRef(containerId, taskArn);
    return new TaskProcess(ref, this.tasks.get(containerId)?.logToken, (logToken) => this.tasks.put(containerId, { taskArn, logToken }));
  }

  /** After a restart: the container's task, running or stopped since, is followed again; its exit is then reported as it was. */
  async adopt(spec: ContainerSpec): Promise<ProcessHandle | undefined> {
    const taskArn = this.tasks.get(spec.id)?.taskArn ?? (await this.runningTask(spec.id));
    if (!taskArn) return undefined;
    try {
      await describeTask(this.taskRef(spec.id, taskArn));
    } catch {
      // ECS no longer knows the task (stopped tasks are kept about an hour).
      return undefined;
    }
    return this.follow(spec.id, taskArn);
  }

  /** The task of the container's family still running, found by ListTasks when no record was kept. */
  private async runningTask(containerId: string): Promise<string | undefined> {
    const out = await this.ecs.send(new ListTasksCommand({ cluster: this.options.cluster, family: familyOf(containerId) }));
    return out.taskArns?.[0];
  }

  forgetUnknown(knownIds: Set<string>): void {
    this.tasks.keepOnly(knownIds);
  }

  private taskRef(containerId: string, taskArn: string): TaskRef {
    return { ecs: this.ecs, logs: this.logs, cluster: this.options.cluster, taskArn, logGroup: this.options.logGroup, logStream: logStreamOf(containerId, taskArn), pollMs: this.options.pollMs, closing: this.closing.signal };
  }

  private async startExec(spec: ContainerSpec, process: ProcessSpec): Promise<ProcessHandle> {
    const taskArn = this.tasks.get(spec.id)?.taskArn;
    if (!taskArn) throw new ProcessStartError("the container has no ECS task to run the exec in", 128);
    await untilExecReady(this.taskRef(spec.id, taskArn));
    return startExec(this.ecs, this.options.cluster, taskArn, process);
  }

  private ensureLogGroup(): Promise<void> {
    this.logGroup ??= this.logs.send(new CreateLogGroupCommand({ logGroupName: this.options.logGroup })).then(
      () => undefined,
      (err: Error) => {
        if (err instanceof ResourceAlreadyExistsException) return;
        this.logGroup = undefined;
        throw err;
      },
    );
    return this.logGroup;
  }

  /** Deletes what the container's starts made: its task definitions and its tasks' log streams. */
  async removeContainer(containerId: string): Promise<void> {
    await deleteTaskDefinitions(this.ecs, containerId);
    await deleteLogStreams(this.logs, this.options.logGroup, containerId);
    this.tasks.delete(containerId);
  }

  async close(): Promise<void> {
    // Tasks keep running on ECS; nothing follows them any more.
    this.closing.abort();
    this.ecs.destroy();
    this.logs.destroy();
    this.ecr.destroy();
  }
}

export const createEcsBackend: BackendFactory = (options, dataDir) => new EcsBackend(parseEcsOptions(options), dataDir);
