import { CloudWatchLogsClient, CreateLogGroupCommand, ResourceAlreadyExistsException } from "@aws-sdk/client-cloudwatch-logs";
import { DeleteTaskDefinitionsCommand, DeregisterTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { NotImplementedError } from "../../engine/errors.js";
import { ProcessStartError, type Backend, type BackendFactory, type ContainerFiles, type ContainerSpec, type ImageSource, type ProcessHandle, type ProcessSpec } from "../backend.js";
import { startExec } from "./exec.js";
import { EcrImages } from "./images.js";
import { parseEcsOptions, type EcsOptions } from "./options.js";
import { logStreamOf, taskDefinition, taskTags } from "./task-definition.js";
import { exitOf, TaskProcess, untilExecReady, untilStarted, type TaskRef } from "./task-process.js";

/** What the backend keeps of a container: its spec, and its task while one exists. */
interface EcsContainer {
  spec: ContainerSpec;
  taskArn?: string;
  /** Every revision registered for it, deregistered and deleted at remove. */
  taskDefinitions: string[];
}

/**
 * Containers as ECS tasks on Fargate: each start registers a task
 * definition and runs it; output comes from CloudWatch Logs, the exit code
 * from DescribeTasks, execs through ECS Exec. Images are pushed to ECR first.
 */
class EcsBackend implements Backend {
  private readonly ecs: ECSClient;
  private readonly logs: CloudWatchLogsClient;
  private readonly ecr: ECRClient;
  private readonly images: EcrImages;
  private readonly containers = new Map<string, EcsContainer>();
  private logGroup: Promise<void> | undefined;
  private readonly closing = new AbortController();

  constructor(private readonly options: EcsOptions) {
    const config = { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
    this.ecs = new ECSClient(config);
    this.logs = new CloudWatchLogsClient(config);
    this.ecr = new ECRClient(config);
    this.images = new EcrImages(this.ecr, options.repository);
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
        archive: false,
        archiveNotRunning: false,
        pause: false,
        publishPorts: false,
        networking: false,
        mounts: false,
        signals: false,
        stderr: false,
        resources: ["Memory"],
      },
    };
  }

  useImages(source: ImageSource): void {
    this.images.use(source);
  }

  async createContainer(spec: ContainerSpec): Promise<void> {
    this.containers.set(spec.id, { spec, taskDefinitions: this.containers.get(spec.id)?.taskDefinitions ?? [] });
  }

  async withFiles<T>(): Promise<T> {
    throw new NotImplementedError("copying files into and out of containers is not supported by the ecs backend");
  }

  startProcess(container: ContainerSpec, process: ProcessSpec, exec: boolean): Promise<ProcessHandle> {
    return exec ? this.startExec(container, process) : this.startTask(container, process);
  }

  private async startTask(spec: ContainerSpec, process: ProcessSpec): Promise<ProcessHandle> {
    const record = this.record(spec);
    const [image] = await Promise.all([this.images.ensure(spec.image), this.ensureLogGroup()]);
    const registered = await this.ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(spec, process, image, this.options)));
    const definitionArn = registered.taskDefinition!.taskDefinitionArn!;
    record.taskDefinitions.push(definitionArn);
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
    record.taskArn = taskArn;
    const ref = this.taskRef(spec.id, taskArn);
    const started = await untilStarted(ref);
    // A container that never ran (its image could not be pulled, ...) did not start.
    if (started.lastStatus === "STOPPED" && started.containers?.[0]?.exitCode == null) throw new ProcessStartError(exitOf(started).error ?? "the task stopped before it ran", 128);
    return new TaskProcess(ref);
  }

  private taskRef(containerId: string, taskArn: string): TaskRef {
    return { ecs: this.ecs, logs: this.logs, cluster: this.options.cluster, taskArn, logGroup: this.options.logGroup, logStream: logStreamOf(containerId, taskArn), pollMs: this.options.pollMs, closing: this.closing.signal };
  }

  private async startExec(spec: ContainerSpec, process: ProcessSpec): Promise<ProcessHandle> {
    const taskArn = this.containers.get(spec.id)?.taskArn;
    if (!taskArn) throw new ProcessStartError("the container has no ECS task to run the exec in", 128);
    await untilExecReady(this.taskRef(spec.id, taskArn));
    return startExec(this.ecs, this.options.cluster, taskArn, process, spec.main?.user ?? "");
  }

  private record(spec: ContainerSpec): EcsContainer {
    let record = this.containers.get(spec.id);
    if (!record) {
      record = { spec, taskDefinitions: [] };
      this.containers.set(spec.id, record);
    }
    return record;
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

  /** Deregisters and deletes the task definitions the container's starts registered. */
  async removeContainer(containerId: string): Promise<void> {
    const record = this.containers.get(containerId);
    this.containers.delete(containerId);
    const arns = record?.taskDefinitions ?? [];
    for (const arn of arns) await this.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    // DeleteTaskDefinitions takes at most 10 at a time.
    for (let i = 0; i < arns.length; i += 10) await this.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: arns.slice(i, i + 10) }));
  }

  async close(): Promise<void> {
    // Tasks keep running on ECS; nothing follows them any more.
    this.closing.abort();
    this.ecs.destroy();
    this.logs.destroy();
    this.ecr.destroy();
  }
}

export const createEcsBackend: BackendFactory = (options) => new EcsBackend(parseEcsOptions(options));
