import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from "@aws-sdk/client-lambda";
import { NotImplementedError } from "../../engine/errors.js";
import type { ProcessExit, ProcessHandle } from "../backend.js";
import { OutputRelay } from "../output-relay.js";
import type { LogFollower } from "./log-follower.js";

/** The event every start invokes its function with. */
export const EVENT = Buffer.from("{}");

/** How long CloudWatch Logs may take to show an invocation's REPORT line once Invoke has answered. */
const LOG_WAIT_MS = 60_000;

export interface InvocationRef {
  /** A client that never retries: a retried Invoke could run the function twice. */
  lambda: LambdaClient;
  functionName: string;
  timeoutSeconds: number;
  log: LogFollower;
  pollMs: number;
  /** Aborted when the backend closes: following stops, the invocation runs on. */
  closing: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** State.Error of a failed invocation: Lambda's error document as "errorType: errorMessage", or its text. */
export function functionErrorOf(payload: string): string {
  try {
    const doc = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof doc.errorMessage === "string") return typeof doc.errorType === "string" && doc.errorType ? `${doc.errorType}: ${doc.errorMessage}` : doc.errorMessage;
  } catch {
    // Not Lambda's error document: the payload as it is.
  }
  return payload;
}

/** Whether Invoke's log tail (LogType Tail) shows that Lambda wrote the invocation's REPORT line. */
export function tailReports(logResult: string | undefined, requestId: string): boolean {
  return Buffer.from(logResult ?? "", "base64").toString("utf8").includes(`REPORT RequestId: ${requestId}`);
}

/**
 * One synchronous invocation as PID 1. The function's log, read from
 * CloudWatch Logs while it runs, is stderr; its result is stdout. It exits 0
 * when the function succeeded and 1 with Lambda's error when it failed, once
 * the invocation's REPORT line has been read.
 */
export class LambdaInvocation implements ProcessHandle {
  private readonly output = new OutputRelay();
  /** The request IDs whose REPORT line has been read. */
  private readonly reported = new Set<string>();
  readonly exited: Promise<ProcessExit>;

  constructor(private readonly ref: InvocationRef) {
    this.exited = this.run().catch((err: Error) =>
      ref.closing.aborted ? new Promise<ProcessExit>(() => {}) : { exitCode: 255, error: `lost track of Lambda function ${ref.functionName}: ${err.message}` },
    );
  }

  onOutput(listener: (stream: 1 | 2, data: Buffer) => void): void {
    this.output.listen(listener);
  }

  writeStdin(): void {
    // Refused at start: an invocation takes only its event.
  }

  signal(): void {
    throw new NotImplementedError(`the lambda backend cannot signal a function: Lambda runs an invocation until it returns or its timeout of ${this.ref.timeoutSeconds} s ends it`);
  }

  resize(): void {
    // A function has no terminal.
  }

  private logLine = (message: string) => {
    const report = /^REPORT RequestId: (\S+)/.exec(message);
    if (report) this.reported.add(report[1]);
    this.output.deliver(2, Buffer.from(message.endsWith("\n") ? message : `${message}\n`));
  };

  private async run(): Promise<ProcessExit> {
    let answer: { out: InvokeCommandOutput } | { err: Error } | undefined;
    const invoked = this.ref.lambda
      .send(new InvokeCommand({ FunctionName: this.ref.functionName, InvocationType: "RequestResponse", LogType: "Tail", Payload: EVENT }), { abortSignal: this.ref.closing })
      .then(
        (out) => void (answer = { out }),
        (err: Error) => void (answer = { err }),
      );
    // The log is read while the function runs, as docker logs -f shows a container's output.
    while (!answer) {
      await this.ref.log.drain(this.logLine);
      await Promise.race([sleep(this.ref.pollMs), invoked]);
    }
    // The daemon is closing: the exit is never reported, as for a daemon that dies.
    if (this.ref.closing.aborted) return new Promise(() => {});
    if ("err" in answer) {
      await this.ref.log.drain(this.logLine);
      return { exitCode: 255, error: `Lambda's Invoke of ${this.ref.functionName} failed: ${answer.err.name}: ${answer.err.message}` };
    }
    const { out } = answer;
    const requestId = out.$metadata.requestId ?? "";
    const logMissing = await this.untilLogged(requestId, tailReports(out.LogResult, requestId));
    const payload = Buffer.from(out.Payload ?? []);
    const failed = Boolean(out.FunctionError);
    if (payload.length) this.output.deliver(failed ? 2 : 1, payload);
    const error = [failed ? functionErrorOf(payload.toString("utf8")) : "", logMissing ?? ""].filter(Boolean).join("; ");
    return { exitCode: failed ? 1 : 0, ...(error ? { error } : {}) };
  }

  /**
   * Reads the log until the invocation's REPORT line when Lambda wrote one
   * (its log tail shows it), else once more; answers why when it never showed.
   */
  private async untilLogged(requestId: string, reportWritten: boolean): Promise<string | undefined> {
    const deadline = Date.now() + LOG_WAIT_MS;
    for (;;) {
      await this.ref.log.drain(this.logLine);
      if (this.reported.has(requestId) || !reportWritten) return undefined;
      if (Date.now() > deadline) return `CloudWatch Logs did not show the invocation's log within ${LOG_WAIT_MS / 1000} s (may the function's role write to it?)`;
      await sleep(this.ref.pollMs);
    }
  }
}
