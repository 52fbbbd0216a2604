import type { Context } from "hono";
import type { ProgressEvent, ProgressSink } from "../engine/images/progress.js";
import type { AppEnv } from "./env.js";
import { jsonLinesResponse } from "./json-lines.js";

/** go-units HumanSize: decimal units, four significant digits. */
function humanSize(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

/** jsonmessage.JSONProgress.String() as the daemon renders it (a 200-column terminal, no start time). */
export function progressBar(current: number, total: number): string {
  if (current <= 0 && total <= 0) return "";
  if (total <= 0) return humanSize(current).padStart(8);
  const pct = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${"=".repeat(pct)}>${" ".repeat(Math.max(0, 50 - pct))}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

/** One JSON line in the field order of moby's jsonmessage.JSONMessage, ended by "\r\n" as its stream formatter does. */
export function encodeProgress(e: ProgressEvent): string {
  const out: Record<string, unknown> = {};
  if (e.status !== undefined) out.status = e.status;
  if (e.detail) {
    const { current, total } = e.detail;
    out.progressDetail = current === undefined ? {} : total === undefined ? { current } : { current, total };
    const bar = current === undefined ? "" : progressBar(current, total ?? 0);
    if (bar) out.progress = bar;
  }
  if (e.id !== undefined) out.id = e.id;
  if (e.aux !== undefined) {
    if (!e.detail) out.progressDetail = {};
    out.aux = e.aux;
  }
  return JSON.stringify(out) + "\r\n";
}

function encodeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return JSON.stringify({ errorDetail: { message }, error: message }) + "\r\n";
}

/**
 * Runs a job that reports progress and answers with Docker's JSON progress
 * stream. Until the job's first line the answer is not started, so an early
 * failure is a plain error response with its status; a later one goes
 * in-stream as `errorDetail`. The job's signal aborts when the client leaves.
 */
export function progressResponse(c: Context<AppEnv>, job: (emit: ProgressSink, signal: AbortSignal) => Promise<void>): Promise<Response> {
  return jsonLinesResponse(c, job, encodeProgress, encodeError);
}
