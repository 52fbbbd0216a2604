import type { Duplex } from "node:stream";
import { versionAtLeast } from "../../engine/api-version.js";
import { DetachWatcher, parseDetachKeys } from "../../engine/detach-keys.js";
import { InvalidParameterError } from "../../engine/errors.js";
import type { HijackRequest } from "./dispatch.js";
import { beginSession, writeResponse } from "./session.js";
import { withGoFieldNames } from "../json.js";

const MAX_BODY = 1024 * 1024;

/**
 * Reads the JSON body of a request whose connection we own: Content-Length
 * bytes from what arrived with the headers and then from the socket. Returns
 * the body and whatever followed it (the start of stdin).
 */
function readBody(r: HijackRequest): Promise<{ body: Buffer; rest: Buffer }> {
  const length = Number(r.req.headers["content-length"] ?? "0");
  if (!Number.isFinite(length) || length < 0 || length > MAX_BODY) return Promise.reject(new InvalidParameterError("invalid request body length"));
  if (!r.upgrade) {
    // Not upgraded: the HTTP parser still owns the socket and hands us the body.
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      r.req.on("data", (c: Buffer) => chunks.push(c));
      r.req.on("end", () => resolve({ body: Buffer.concat(chunks), rest: Buffer.alloc(0) }));
      r.req.on("error", reject);
    });
  }
  return new Promise((resolve) => {
    let got = r.head;
    const done = () => {
      r.socket.off("data", onData);
      r.socket.pause();
      resolve({ body: got.subarray(0, length), rest: got.subarray(length) });
    };
    const onData = (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (got.length >= length) done();
    };
    if (got.length >= length) return done();
    r.socket.on("data", onData);
  });
}

function parse(body: Buffer): { Detach?: boolean; Tty?: boolean } {
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString("utf8"));
    if (v && typeof v === "object" && !Array.isArray(v)) return withGoFieldNames<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: unknown }>(v, ["Detach", "Tty", "ConsoleSize"]);
  } catch (e) {
    throw new InvalidParameterError(`invalid JSON: ${(e as Error).message}`);
  }
  throw new InvalidParameterError("invalid JSON: expected an object");
}

/** POST /exec/{id}/start: detached (200, no body) or the exec's stdio until it exits. */
export async function execStart(r: HijackRequest): Promise<void> {
  const execs = r.engine.execs;
  const exec = execs.get(r.params[0]);
  const { body, rest } = await readBody(r);
  const options = parse(body);
  if (exec.started) return writeResponse(r.socket, 409, { message: `Error: Exec command ${exec.id} has already run` });
  if (!r.engine.containers.isRunning(exec.containerId)) return writeResponse(r.socket, 409, { message: `container ${exec.containerId} is not running` });
  const id = exec.id;
  const detachKeys = parseDetachKeys(exec.config.DetachKeys);
  if (options.Detach) {
    await execs.start(id);
    return writeResponse(r.socket, 200);
  }
  const session = beginSession({
    socket: r.socket as Duplex,
    upgrade: r.upgrade,
    // dockerd frames the stream by the start request's Tty, whatever the exec was created with.
    tty: Boolean(options.Tty),
    multiplexedType: versionAtLeast(r.apiVersion, "1.42"),
    stdout: exec.config.AttachStdout !== false,
    stderr: exec.config.AttachStderr !== false,
  });
  const onOutput = (c: { stream: number; data: Buffer }) => session.send(c.stream, c.data);
  execs.bus.on(`output:${id}`, onOutput);
  execs.bus.once(`exit:${id}`, session.end);
  session.onCleanup(() => {
    execs.bus.off(`output:${id}`, onOutput);
    execs.bus.off(`exit:${id}`, session.end);
  });
  // The stream holds its first bytes until the client has had time to read
  // the headers (see session.ts); the process starts after that time too, so
  // even its first output comes well clear of them.
  await session.headersRead;
  await execs.start(id);
  if (exec.config.AttachStdin) {
    // On a TTY the detach keys end the session (the exec keeps running) and are never delivered.
    const watcher = exec.config.Tty ? new DetachWatcher(detachKeys) : undefined;
    const input = (d: Buffer) => {
      if (!watcher) return execs.writeStdin(id, d);
      const { data, detach } = watcher.feed(d);
      if (data.length) execs.writeStdin(id, data);
      if (detach) session.end();
    };
    if (rest.length) input(rest);
    r.socket.on("data", input);
    r.socket.on("end", () => execs.writeStdin(id, null));
    r.socket.resume();
  } else {
    r.socket.resume();
  }
}
