import { MAX_RESPONSE_BYTES } from "./runtime-api.js";

/** The error documents Lambda itself answers an invocation with, when the function gave none of its own. */

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

export function timedOut(requestId: string, seconds: number): Buffer {
  return json({ errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds.toFixed(2)} seconds`, errorType: "Sandbox.Timedout" });
}

/** The runtime ended or could not start: Runtime.ExitError, Runtime.OutOfMemory, Runtime.InvalidEntrypoint. */
export function runtimeFailed(requestId: string, errorType: string, reason: string): Buffer {
  return json({ errorMessage: `RequestId: ${requestId} Error: ${reason}`, errorType });
}

export function responseTooLarge(): Buffer {
  return json({ errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: "Function.ResponseSizeTooLarge" });
}

/** What stands for a document the runtime posted empty. */
export function emptyReport(errorType: string, what: string): Buffer {
  return json({ errorMessage: `the runtime reported ${what} without a body`, errorType: errorType || "Runtime.Unknown" });
}
