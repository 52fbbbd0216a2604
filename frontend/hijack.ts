import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { MAX_API_VERSION, splitVersionPrefix, unsupportedVersionMessage, versionAtLeast } from "../engine/api-version.js";
import type { Engine } from "../engine/engine.js";
import { DockerError } from "../engine/errors.js";
import type { OutputChunk } from "../engine/containers/manager.js";
import { SERVER_HEADER } from "./app.js";
import { frame, streamMediaType } from "./stdcopy.js";

/** Routes whose answer takes over the connection (attach); everything else goes to the Hono app. */
const attachRoute = /^\/containers\/([^/]+)\/attach$/;

export function isHijackRoute(url: string): boolean {
  const path = splitVersionPrefix(new URL(url, "http://x").pathname).path;
  return attachRoute.test(path);
}

function writeError(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? "Not Found" : status === 409 ? "Conflict" : status === 400 ? "Bad Request" : "Error"}\r\n` +
      `Server: ${SERVER_HEADER}\r\nApi-Version: ${MAX_API_VERSION}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const flag = (q: URLSearchParams, k: string) => ["1", "true", "True"].includes(q.get(k) ?? "");

/**
 * POST /containers/{id}/attach. With `Upgrade: tcp` the answer is
 * `101 UPGRADED` (Go clients require it), otherwise 200; either way the
 * connection then carries the container's stdio until PID 1 exits.
 */
export function handleHijack(engine: Engine, log: Logger, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? "/", "http://x");
  const { version, path } = splitVersionPrefix(url.pathname);
  const apiVersion = version ?? MAX_API_VERSION;
  const refusal = version ? unsupportedVersionMessage(version) : undefined;
  if (refusal) return writeError(socket, 400, refusal);
  const m = attachRoute.exec(path);
  if (!m || req.method !== "POST") return writeError(socket, 404, "page not found");
  const q = url.searchParams;
  let container;
  try {
    container = engine.containers.get(decodeURIComponent(m[1]));
  } catch (err) {
    if (err instanceof DockerError) return writeError(socket, err.status, err.message);
    throw err;
  }
  const tty = Boolean(container.config.Tty);
  const upgrade = (req.headers.upgrade ?? "").toLowerCase() === "tcp";
  const type = streamMediaType(tty, versionAtLeast(apiVersion, "1.42"));
  socket.write(
    (upgrade ? "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" : "HTTP/1.1 200 OK\r\n") +
      `Content-Type: ${type}\r\nServer: ${SERVER_HEADER}\r\nApi-Version: ${MAX_API_VERSION}\r\n\r\n`,
  );
  log.info({ method: "POST", path: url.pathname, status: upgrade ? 101 : 200, hijacked: true }, "request");

  const id = container.id;
  const wantOut = flag(q, "stdout");
  const wantErr = flag(q, "stderr");
  const send = (chunk: { stream: number; data: Buffer }) => {
    if ((chunk.stream === 1 && !wantOut) || (chunk.stream === 2 && !wantErr)) return;
    if (!socket.writable) return;
    socket.write(tty ? chunk.data : frame(chunk.stream as 1 | 2, chunk.data));
  };
  if (flag(q, "logs")) for (const row of engine.containers.logs(id)) send({ stream: row.stream, data: row.data });

  const managers = engine.containers;
  const cleanup: (() => void)[] = [];
  const finish = () => {
    for (const f of cleanup.splice(0)) f();
    socket.end();
  };
  if (!flag(q, "stream")) return finish();

  const onOutput = (c: OutputChunk) => send(c);
  managers.bus.on(`output:${id}`, onOutput);
  cleanup.push(() => managers.bus.off(`output:${id}`, onOutput));
  const onExit = () => finish();
  managers.bus.once(`exit:${id}`, onExit);
  cleanup.push(() => managers.bus.off(`exit:${id}`, onExit));
  const onRemoved = () => finish();
  managers.bus.once(`removed:${id}`, onRemoved);
  cleanup.push(() => managers.bus.off(`removed:${id}`, onRemoved));

  if (flag(q, "stdin") && container.config.OpenStdin) {
    const stdinOnce = Boolean(container.config.StdinOnce);
    const pending: (Buffer | null)[] = [];
    const deliver = (data: Buffer | null) => {
      if (managers.isRunning(id)) managers.bus.emit(`stdin:${id}`, data);
      else pending.push(data);
    };
    const onStarted = () => {
      for (const d of pending.splice(0)) managers.bus.emit(`stdin:${id}`, d);
    };
    managers.bus.on(`started:${id}`, onStarted);
    cleanup.push(() => managers.bus.off(`started:${id}`, onStarted));
    if (head.length) deliver(head);
    socket.on("data", (d: Buffer) => deliver(d));
    socket.on("end", () => {
      if (stdinOnce) deliver(null);
    });
  } else {
    socket.resume();
  }
  socket.on("close", () => {
    for (const f of cleanup.splice(0)) f();
  });
  socket.on("error", () => socket.destroy());
  if (!managers.isRunning(id) && container.state.Status !== "created") finish();
}
