import type { Context } from "hono";
import { stream } from "hono/streaming";
import type { AppEnv } from "./env.js";

/**
 * Runs a job that emits messages and answers with them as a stream of JSON
 * lines (pulls, pushes, builds). Until the job's first message nothing is
 * sent, so an early failure is a plain error response with its status; a
 * later one goes in-stream, as `encodeError` writes it. `encode` gives a
 * message's line, or nothing for a message that only marks the start. The
 * job's signal aborts when the client leaves.
 */
export async function jsonLinesResponse<M>(
  c: Context<AppEnv>,
  job: (emit: (m: M) => void, signal: AbortSignal) => Promise<unknown>,
  encode: (m: M) => string | undefined,
  encodeError: (err: unknown) => string,
): Promise<Response> {
  const lines: string[] = [];
  const abort = new AbortController();
  let wake: (() => void) | undefined;
  let finished = false;
  let begun = false;
  let failure: { err: unknown } | undefined;
  let started!: () => void;
  const firstMessage = new Promise<void>((resolve) => (started = resolve));
  const run = job((m) => {
    begun = true;
    const line = encode(m);
    if (line !== undefined) lines.push(line);
    started();
    wake?.();
  }, abort.signal).then(
    () => {},
    (err) => (failure = { err }),
  );
  void run.finally(() => {
    finished = true;
    started();
    wake?.();
  });
  await firstMessage;
  if (finished && failure && !begun) throw failure.err;
  c.header("Content-Type", "application/json");
  return stream(c, async (s) => {
    s.onAbort(() => abort.abort());
    for (;;) {
      const batch = lines.splice(0);
      if (batch.length) await s.write(batch.join(""));
      if (finished && lines.length === 0) break;
      if (lines.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    if (failure) await s.write(encodeError(failure.err));
  });
}
