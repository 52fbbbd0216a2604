import type { Logger } from "pino";
import type { LogSink } from "../../service.js";
import { LineSplitter } from "../../workloads.js";
import type { ContainerDefinition } from "./types.js";

/** Why a task cannot start when its awslogs group is missing, in the agent's words. */
export const MISSING_LOG_GROUP =
  "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1";

/**
 * The awslogs driver of one container: each line of stdout and stderr
 * becomes an event in `prefix/container/taskId` (or, without a prefix, in a
 * stream named by the container's runtime ID, known once it runs).
 */
export class AwsLogsDriver {
  private stream: string | undefined;
  private readonly waiting: { timestamp: number; message: string }[] = [];
  private readonly splitters: Record<1 | 2, LineSplitter>;

  constructor(
    private readonly sink: LogSink,
    private readonly log: Logger,
    readonly group: string,
    prefix: string | undefined,
    containerName: string,
    taskId: string,
  ) {
    if (prefix) this.open(`${prefix}/${containerName}/${taskId}`);
    const emit = (message: string) => this.put({ timestamp: Date.now(), message });
    // Like Docker's awslogs driver, lines are split at LF only: a terminal's CR stays in the message.
    this.splitters = { 1: new LineSplitter(emit, true), 2: new LineSplitter(emit, true) };
  }

  /** The driver for a container definition, or undefined when it logs elsewhere. */
  static for(def: ContainerDefinition, sink: LogSink, log: Logger, taskId: string): AwsLogsDriver | undefined {
    const cfg = def.logConfiguration;
    if (cfg?.logDriver !== "awslogs") return undefined;
    const options = cfg.options ?? {};
    return new AwsLogsDriver(sink, log, options["awslogs-group"], options["awslogs-stream-prefix"], def.name, taskId);
  }

  /** Names the stream by the container's runtime ID when no prefix named it. */
  started(runtimeId: string): void {
    if (this.stream === undefined) this.open(runtimeId);
  }

  write(stream: 1 | 2, data: Buffer): void {
    this.splitters[stream].write(data);
  }

  flush(): void {
    this.splitters[1].flush();
    this.splitters[2].flush();
  }

  private open(stream: string): void {
    this.sink.createStream(this.group, stream);
    this.stream = stream;
    const pending = this.waiting.splice(0);
    if (pending.length > 0) this.send(pending);
  }

  private put(event: { timestamp: number; message: string }): void {
    if (this.stream === undefined) this.waiting.push(event);
    else this.send([event]);
  }

  private send(events: { timestamp: number; message: string }[]): void {
    try {
      this.sink.put(this.group, this.stream!, events);
    } catch (err) {
      this.log.warn({ err, group: this.group, stream: this.stream }, "awslogs could not deliver a log event");
    }
  }
}
