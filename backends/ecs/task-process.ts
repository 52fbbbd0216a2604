import { CloudWatchLogsClient, GetLogEventsCommand, ResourceNotFoundException } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, StopTaskCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { ProcessStartError, type ProcessExit, type ProcessHandle } from "../backend.js";
import { OutputRelay } from "../output-relay.js";

export interface TaskRef {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  cluster: string;
  taskArn: string;
  logGroup: string;
  logStream: string;
  pollMs: number;
  /** Aborted when the backend closes: following the task stops, the task runs on. */
  closing: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The task as DescribeTasks shows it now. */
export async function describeTask(ref: TaskRef): Promise<Task> {
  const out = await ref.ecs.send(new DescribeTasksCommand({ cluster: ref.cluster, tasks: [ref.taskArn] }));
  const task = out.tasks?.[0];
  if (!task) throw new Error(`ECS has no task ${ref.taskArn}: ${out.failures?.[0]?.reason ?? "not found"}`);
  return task;
}

/** Polls until the task has started running or has stopped. */
export async function untilStarted(ref: TaskRef): Promise<Task> {
  for (;;) {
    const task = await describeTask(ref);
    if (task.lastStatus === "RUNNING" || task.lastStatus === "DEACTIVATING" || task.lastStatus === "STOPPING" || task.lastStatus === "DEPROVISIONING" || task.lastStatus === "STOPPED") return task;
    await sleep(ref.pollMs);
  }
}

/** Polls until ECS Exec's agent in the task is running, as ExecuteCommand needs; the task stopping first fails. */
export async function untilExecReady(ref: TaskRef): Promise<void> {
  for (;;) {
    const task = await describeTask(ref);
    if (task.lastStatus === "STOPPED" || task.desiredStatus === "STOPPED") throw new ProcessStartError("the container's ECS task is stopping", 128);
    const agent = task.containers?.[0]?.managedAgents?.find((a) => a.name === "ExecuteCommandAgent");
    if (agent?.lastStatus === "RUNNING") return;
    await sleep(ref.pollMs);
  }
}

/** How a stopped task's container ended: its exit code, or, when it never ran, the reason with 128. */
export function exitOf(task: Task): ProcessExit {
  const container = task.containers?.[0];
  // ECS often repeats the container's reason as the task's. A start that failed
  // is Docker's error already: what follows ECS's CannotStartContainerError is the runtime's own message.
  const reason = [...new Set([task.stoppedReason, container?.reason].filter(Boolean))].join(": ").replace(/^CannotStartContainerError: /, "");
  if (container?.exitCode === undefined || container.exitCode === null) return { exitCode: 128, error: reason || "the task stopped without an exit code" };
  return { exitCode: container.exitCode, ...(container.reason ? { error: container.reason } : {}) };
}

/**
 * A task's container as PID 1: its CloudWatch Logs events as stdout (awslogs
 * does not tell stderr apart), and its exit once DescribeTasks says STOPPED,
 * after the last events are delivered. Stdin cannot reach a task.
 */
export class TaskProcess implements ProcessHandle {
  private readonly output = new OutputRelay();
  readonly exited: Promise<ProcessExit>;

  /** `token` resumes reading the output where an earlier follower stopped; `onRead` hears each new position. */
  constructor(
    private readonly ref: TaskRef,
    private token?: string,
    private readonly onRead: (token: string) => void = () => {},
  ) {
    this.exited = this.follow().catch((err: Error) =>
      ref.closing.aborted ? new Promise<ProcessExit>(() => {}) : { exitCode: 255, error: `lost track of ECS task ${ref.taskArn}: ${err.message}` },
    );
  }

  onOutput(listener: (stream: 1 | 2, data: Buffer) => void): void {
    this.output.listen(listener);
  }

  writeStdin(): void {
    // Refused at start: a task's main process has no stdin to write to.
  }

  /** Only a stop reaches a task (engine/ refuses other signals): StopTask sends SIGTERM, then SIGKILL after the stop timeout. */
  signal(signal: string): void {
    this.ref.ecs.send(new StopTaskCommand({ cluster: this.ref.cluster, task: this.ref.taskArn, reason: `${signal} from Sockerless` })).catch((err: Error) => process.emitWarning(`the ecs backend could not stop task ${this.ref.taskArn}: ${err.message}`));
  }

  resize(): void {
    // A task has no terminal to resize.
  }

  private async follow(): Promise<ProcessExit> {
    for (;;) {
      // The daemon is closing: the exit is never reported, as for a daemon that dies.
      if (this.ref.closing.aborted) return new Promise(() => {});
      await this.drainLogs();
      const task = await describeTask(this.ref);
      if (task.lastStatus === "STOPPED") {
        await this.drainLogs();
        return exitOf(task);
      }
      await sleep(this.ref.pollMs);
    }
  }

  /** Reads every event there is now: GetLogEvents repeats its forward token once at the end. */
  private async drainLogs(): Promise<void> {
    for (;;) {
      let out;
      try {
        out = await this.ref.logs.send(
          new GetLogEventsCommand({ logGroupName: this.ref.logGroup, logStreamName: this.ref.logStream, startFromHead: true, ...(this.token ? { nextToken: this.token } : {}) }),
        );
      } catch (err) {
        // The stream appears with the container's first output.
        if (err instanceof ResourceNotFoundException) return;
        throw err;
      }
      for (const e of out.events ?? []) this.output.deliver(1, Buffer.from(`${e.message ?? ""}\n`));
      const next = out.nextForwardToken;
      const done = !next || next === this.token || (out.events ?? []).length === 0;
      if (next && next !== this.token) this.onRead(next);
      this.token = next;
      if (done) return;
    }
  }
}
