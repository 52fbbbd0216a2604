import { randomBytes } from "node:crypto";
import type { SimContext } from "../../service.js";
import { logGroupName } from "./configuration.js";

/** The tail Invoke returns with LogType Tail: the last 4 KB of the invocation's log. */
const TAIL_BYTES = 4096;

/** Lambda's stream name for one instance: 2026/01/31/[$LATEST]<32 hex>. */
export function logStreamName(date = new Date()): string {
  const day = date.toISOString().slice(0, 10).replace(/-/g, "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

/**
 * Lambda's REPORT line. Images are billed for their init too; a figure the
 * backend cannot measure (memory, on some) shows as 0.
 */
export function reportLine(r: { requestId: string; durationMs: number; initMs?: number; memorySize: number; memoryUsedBytes: number; status?: string }): string {
  const billed = Math.ceil(r.durationMs + (r.initMs ?? 0));
  return [
    `REPORT RequestId: ${r.requestId}`,
    `Duration: ${r.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${billed} ms`,
    `Memory Size: ${r.memorySize} MB`,
    `Max Memory Used: ${Math.ceil(r.memoryUsedBytes / (1024 * 1024))} MB`,
    ...(r.initMs !== undefined ? [`Init Duration: ${r.initMs.toFixed(2)} ms`] : []),
    ...(r.status ? [`Status: ${r.status}`] : []),
  ].join("\t");
}

/**
 * One function instance's log stream in CloudWatch Logs: its output lines
 * and Lambda's own START, END and REPORT lines, with the lines of the
 * invocation under way kept for its tail.
 */
export class FunctionLog {
  readonly group: string;
  readonly stream = logStreamName();
  private capture: string[] | undefined;
  private sinkFailed = false;

  constructor(
    private readonly ctx: Pick<SimContext, "logs" | "log">,
    functionName: string,
  ) {
    this.group = logGroupName(functionName);
    this.sink(() => {
      if (!ctx.logs.groupExists(this.group)) ctx.logs.createGroup(this.group);
      ctx.logs.createStream(this.group, this.stream);
    });
  }

  line(message: string): void {
    this.capture?.push(message);
    this.sink(() => this.ctx.logs.put(this.group, this.stream, [{ timestamp: Date.now(), message }]));
  }

  /** Starts collecting an invocation's lines for its tail. */
  begin(): void {
    this.capture = [];
  }

  /** Ends the invocation's collection and returns its last 4 KB. */
  finish(): string {
    const text = (this.capture ?? []).map((l) => `${l}\n`).join("");
    this.capture = undefined;
    const bytes = Buffer.from(text);
    return bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)).toString("utf8");
  }

  /** Like Lambda without permission to write logs, lines that CloudWatch Logs refuses are dropped; the simulator's log says so once. */
  private sink(write: () => void): void {
    try {
      write();
    } catch (err) {
      if (this.sinkFailed) return;
      this.sinkFailed = true;
      this.ctx.log.warn({ err, group: this.group, stream: this.stream }, "a Lambda function's log lines cannot reach CloudWatch Logs");
    }
  }
}
