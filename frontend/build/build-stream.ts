import type { Context } from "hono";
import type { BuildMessage } from "../../engine/build/step.js";
import { StepFailure } from "../../engine/build/step.js";
import { goStringify } from "../../engine/images/go-json.js";
import { encodeProgress } from "../progress-stream.js";
import type { AppEnv } from "../env.js";
import { jsonLinesResponse } from "../json-lines.js";

/** One message as dockerd's stream formatter writes it: a JSON object and "\r\n". */
function encode(m: Exclude<BuildMessage, { started: true }>): string {
  // Go's encoder escapes <, > and & even inside progress bars.
  if ("progress" in m) return encodeProgress(m.progress).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return goStringify(m) + "\r\n";
}

/** A late failure in-stream: errorDetail (with a RUN's exit code) and the legacy `error`. */
function encodeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof StepFailure ? err.code : undefined;
  return goStringify({ errorDetail: code === undefined ? { message } : { code, message }, error: message }) + "\r\n";
}

/**
 * Runs a build and answers with its JSON message stream. Until the first
 * message nothing is sent, so a failure before it (a bad Dockerfile, a
 * missing target) is a plain error response with dockerd's status; a later
 * one goes in-stream. The job's signal aborts when the client leaves.
 */
export function buildResponse(c: Context<AppEnv>, job: (emit: (m: BuildMessage) => void, signal: AbortSignal) => Promise<unknown>): Promise<Response> {
  return jsonLinesResponse(c, job, (m) => ("started" in m ? undefined : encode(m)), encodeError);
}
