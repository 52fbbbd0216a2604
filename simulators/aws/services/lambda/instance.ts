import type http from "node:http";
import { performance } from "node:perf_hooks";
import { LineSplitter, type Workload } from "../../workloads.js";
import type { SimContext } from "../../service.js";
import { emptyReport, responseTooLarge, runtimeFailed, timedOut } from "./function-errors.js";
import { FunctionLog, reportLine } from "./function-log.js";
import { accepted, MAX_RESPONSE_BYTES, send, startRuntimeApi, type RuntimeReply } from "./runtime-api.js";
import type { LambdaFunction } from "./store.js";
import type { ImageConfig } from "./validate.js";

/** How long a runtime may take to ask for its first event (Lambda's init phase limit). */
const INIT_TIMEOUT_MS = 10_000;

export interface InvocationRequest {
  requestId: string;
  payload: Buffer;
  traceId: string;
  /** X-Amz-Client-Context as the caller sent it (base64 JSON). */
  clientContext?: string;
}

export interface InvocationOutcome {
  payload: Buffer;
  functionError?: "Unhandled";
  /** The invocation's log, START to REPORT, at most its last 4 KB. */
  logTail: string;
  /** The instance ended before the event reached the runtime: another instance may take it. */
  undelivered?: boolean;
}

interface Pending {
  request: InvocationRequest;
  resolve: (outcome: InvocationOutcome) => void;
  /** performance.now() when the runtime received the event. */
  deliveredAt?: number;
  timer?: NodeJS.Timeout;
}

const MB = 1024 * 1024;

/**
 * One execution environment of a function: a container of its image whose
 * runtime polls a Runtime API of its own, one invocation at a time, kept warm
 * between invocations until it is retired, reaped or ends.
 */
export class FunctionInstance {
  state: "starting" | "idle" | "busy" | "dead" = "starting";
  lastUsed = Date.now();
  readonly revision: string;
  private readonly log: FunctionLog;
  private readonly startedAt = performance.now();
  private initDuration: number | undefined;
  private initReported = false;
  /** The first REPORT carries the Init Duration. */
  private coldReported = false;
  private ended = false;
  private initError: Buffer | undefined;
  private initTimer: NodeJS.Timeout | undefined;
  private poll: http.ServerResponse | undefined;
  private current: Pending | undefined;
  private workload: Workload | undefined;
  private closeApi: (() => void) | undefined;
  private readonly gone: Promise<void>;
  private markGone!: () => void;

  constructor(
    private readonly ctx: SimContext,
    private readonly fn: LambdaFunction,
    private readonly image: { cmd: string[] },
    onGone: (instance: FunctionInstance) => void,
  ) {
    this.revision = instanceRevision(fn);
    this.log = new FunctionLog(ctx, fn.name);
    this.gone = new Promise((resolve) => (this.markGone = resolve));
    void this.gone.then(() => onGone(this));
    this.initTimer = setTimeout(() => this.initTimedOut(), INIT_TIMEOUT_MS);
    this.start().catch((err: unknown) => {
      ctx.log.error({ err, function: fn.name }, "a Lambda function instance could not start");
      this.exited(`Runtime.Unknown`, err instanceof Error ? err.message : String(err));
    });
  }

  /** Runs one invocation; the instance must be idle or starting. */
  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    this.state = "busy";
    return new Promise((resolve) => {
      this.current = { request, resolve };
      this.deliver();
    });
  }

  /** Ends the instance (its container is killed) and waits until it is gone. */
  destroy(): Promise<void> {
    if (this.state !== "dead") {
      this.state = "dead";
      if (this.workload) void this.workload.stop(0, "SIGKILL").catch(() => {});
      else this.exited("", "");
    }
    return this.gone;
  }

  private async start(): Promise<void> {
    const api = await startRuntimeApi({
      next: (res) => this.next(res),
      response: (id, body) => this.response(id, body),
      error: (id, type, body) => this.error(id, type, body),
      initError: (type, body) => this.reportInitError(type, body),
    }, this.ctx.workloads.serviceAddress());
    if (this.ended) return api.close();
    this.closeApi = api.close;
    const config: ImageConfig = this.fn.imageConfig ? JSON.parse(this.fn.imageConfig) : {};
    const handler = config.Command?.[0] ?? this.image.cmd[0] ?? "";
    const variables: Record<string, string> = this.fn.environment ? JSON.parse(this.fn.environment) : {};
    const env = {
      ...variables,
      AWS_LAMBDA_RUNTIME_API: api.hostPort,
      AWS_LAMBDA_FUNCTION_NAME: this.fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.fn.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: this.log.group,
      AWS_LAMBDA_LOG_STREAM_NAME: this.log.stream,
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_REGION: this.ctx.region,
      AWS_DEFAULT_REGION: this.ctx.region,
      _HANDLER: handler,
      LAMBDA_TASK_ROOT: "/var/task",
      LAMBDA_RUNTIME_DIR: "/var/runtime",
      TZ: ":UTC",
    };
    const out = new LineSplitter((line) => this.log.line(line));
    const err = new LineSplitter((line) => this.log.line(line));
    const workload = await this.ctx.workloads.run(
      {
        image: this.fn.imageId,
        ...(config.EntryPoint ? { entrypoint: config.EntryPoint } : {}),
        ...(config.Command ? { command: config.Command } : {}),
        ...(config.WorkingDirectory ? { workingDir: config.WorkingDirectory } : {}),
        env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        labels: { "sockerless.aws.lambda.function": this.fn.arn },
        memoryBytes: this.fn.memorySize * MB,
        grantUrls: [api.urlPrefix],
      },
      (stream, data) => (stream === 1 ? out : err).write(data),
    );
    if (this.ended) {
      await workload.stop(0, "SIGKILL").catch(() => {});
      return workload.remove();
    }
    this.workload = workload;
    const exit = await workload.exited;
    out.flush();
    err.flush();
    const startFailed = exit.error !== "" && (exit.exitCode === 126 || exit.exitCode === 127);
    if (startFailed) return this.exited("Runtime.InvalidEntrypoint", exit.error);
    if (exit.oomKilled) return this.exited("Runtime.OutOfMemory", "Runtime exited with error: signal: killed");
    this.exited("Runtime.ExitError", exit.exitCode === 0 ? "Runtime exited without providing a reason" : `Runtime exited with error: exit status ${exit.exitCode}`);
  }

  /** GET /runtime/invocation/next. */
  private next(res: http.ServerResponse): void {
    if (this.state === "dead") return send(res, { status: 500, json: { errorMessage: "the execution environment is shutting down", errorType: "Runtime.ExitError" } });
    if (this.initDuration === undefined) {
      this.initDuration = performance.now() - this.startedAt;
      clearTimeout(this.initTimer);
      if (this.state === "starting") this.state = "idle";
    }
    this.poll = res;
    res.on("close", () => {
      if (this.poll === res) this.poll = undefined;
    });
    this.deliver();
  }

  /** Hands the pending event to a waiting poll. */
  private deliver(): void {
    const pending = this.current;
    const poll = this.poll;
    if (!pending || pending.deliveredAt !== undefined || !poll || this.state === "dead") return;
    this.poll = undefined;
    const { request } = pending;
    const deadline = Date.now() + this.fn.timeout * 1000;
    poll.writeHead(200, {
      "content-type": "application/json",
      "content-length": request.payload.length,
      "lambda-runtime-aws-request-id": request.requestId,
      "lambda-runtime-deadline-ms": String(deadline),
      "lambda-runtime-invoked-function-arn": this.fn.arn,
      "lambda-runtime-trace-id": request.traceId,
      ...(request.clientContext ? { "lambda-runtime-client-context": Buffer.from(request.clientContext, "base64").toString("utf8") } : {}),
    });
    poll.end(request.payload);
    pending.deliveredAt = performance.now();
    this.log.begin();
    this.log.line(`START RequestId: ${request.requestId} Version: $LATEST`);
    pending.timer = setTimeout(() => this.timedOut(pending), this.fn.timeout * 1000);
  }

  private delivered(requestId: string): Pending | undefined {
    const p = this.current;
    return p && p.deliveredAt !== undefined && p.request.requestId === requestId ? p : undefined;
  }

  private response(requestId: string, body: Buffer | "too-large"): RuntimeReply {
    const pending = this.delivered(requestId);
    if (!pending) return invalidRequestId(requestId);
    if (body === "too-large") {
      this.complete(pending, { payload: responseTooLarge(), functionError: "Unhandled" });
      return { status: 413, json: { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: "RequestEntityTooLarge" } };
    }
    this.complete(pending, { payload: body });
    return accepted;
  }

  private error(requestId: string, errorType: string, body: Buffer): RuntimeReply {
    const pending = this.delivered(requestId);
    if (!pending) return invalidRequestId(requestId);
    this.complete(pending, { payload: body.length ? body : emptyReport(errorType, "an error"), functionError: "Unhandled" });
    return accepted;
  }

  /** POST /runtime/init/error: the runtime could not initialize and will exit; a waiting invocation gets its error. */
  private reportInitError(errorType: string, body: Buffer): RuntimeReply {
    if (this.initDuration !== undefined) return { status: 403, json: { errorMessage: "Init error reported after initialization", errorType: "InvalidStateTransition" } };
    this.initError = body.length ? body : emptyReport(errorType, "an initialization error");
    this.initLine(errorType || "Runtime.Unknown");
    return accepted;
  }

  private initLine(status: string): void {
    if (this.initReported) return;
    this.initReported = true;
    const ms = (performance.now() - this.startedAt).toFixed(2);
    this.log.line(`INIT_REPORT Init Duration: ${ms} ms\tPhase: init\tStatus: ${status === "timeout" ? "timeout" : `error\tError Type: ${status}`}`);
  }

  private initTimedOut(): void {
    if (this.state === "dead" || this.initDuration !== undefined) return;
    this.initLine("timeout");
    const pending = this.current;
    if (pending) {
      this.current = undefined;
      pending.resolve({ payload: timedOut(pending.request.requestId, INIT_TIMEOUT_MS / 1000), functionError: "Unhandled", logTail: "" });
    }
    void this.destroy();
  }

  private timedOut(pending: Pending): void {
    if (this.current !== pending) return;
    this.log.line(`${new Date().toISOString()} ${pending.request.requestId} Task timed out after ${this.fn.timeout.toFixed(2)} seconds`);
    this.complete(pending, { payload: timedOut(pending.request.requestId, this.fn.timeout), functionError: "Unhandled" }, "timeout");
    void this.destroy();
  }

  /** The container ended (or never ran): the invocation under way fails as Lambda reports a runtime that exits. */
  private exited(errorType: string, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.initTimer);
    const wasDead = this.state === "dead";
    this.state = "dead";
    const pending = this.current;
    if (pending && pending.deliveredAt === undefined) {
      this.current = undefined;
      if (this.initError) pending.resolve({ payload: this.initError, functionError: "Unhandled", logTail: "" });
      else if (this.initDuration !== undefined || wasDead) pending.resolve({ payload: Buffer.alloc(0), logTail: "", undelivered: true });
      else {
        this.initLine(errorType || "Runtime.Unknown");
        pending.resolve({ payload: runtimeFailed(pending.request.requestId, errorType, reason), functionError: "Unhandled", logTail: "" });
      }
    } else if (pending) {
      this.log.line(`RequestId: ${pending.request.requestId} Error: ${reason}`);
      this.log.line(errorType);
      this.complete(pending, { payload: runtimeFailed(pending.request.requestId, errorType, reason), functionError: "Unhandled" });
    }
    this.closeApi?.();
    const workload = this.workload;
    void (workload ? workload.remove().catch(() => {}) : Promise.resolve()).then(() => this.markGone());
  }

  /** Writes END and REPORT, answers the invocation and frees the instance. */
  private complete(pending: Pending, result: { payload: Buffer; functionError?: "Unhandled" }, status?: "timeout"): void {
    clearTimeout(pending.timer);
    this.current = undefined;
    const duration = performance.now() - pending.deliveredAt!;
    const cold = !this.coldReported;
    this.coldReported = true;
    const id = pending.request.requestId;
    const usage = this.workload && this.ctx.workloads.engine.backend.usage ? this.ctx.workloads.engine.backend.usage(this.workload.id).catch(() => undefined) : Promise.resolve(undefined);
    void usage.then((u) => {
      this.log.line(`END RequestId: ${id}`);
      this.log.line(reportLine({ requestId: id, durationMs: duration, initMs: cold ? this.initDuration : undefined, memorySize: this.fn.memorySize, memoryUsedBytes: u?.memory ?? 0, status }));
      pending.resolve({ ...result, logTail: this.log.finish() });
      this.lastUsed = Date.now();
      if (this.state === "busy") this.state = "idle";
    });
  }
}

/** What an instance runs: the function's configuration and its image; either changing retires the instance. */
export function instanceRevision(fn: LambdaFunction): string {
  return `${fn.revisionId}/${fn.imageId}`;
}

function invalidRequestId(requestId: string): RuntimeReply {
  return { status: 400, json: { errorMessage: `Invalid request ID: ${requestId}`, errorType: "InvalidRequestID" } };
}
