import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type RawData } from "ws";
import { MAX_API_VERSION, splitVersionPrefix, unsupportedVersionMessage, versionAtLeast } from "../../engine/api-version.js";
import type { OutputChunk } from "../../engine/containers/manager.js";
import type { Engine } from "../../engine/engine.js";
import { DockerError } from "../../engine/errors.js";
import { writeResponse } from "./session.js";
import { containerStdin } from "./stdin.js";

const ATTACH_WS = /^\/containers\/([^/]+)\/attach\/ws$/;
const sockets = new WebSocketServer({ noServer: true });
const flag = (q: URLSearchParams, k: string) => ["1", "true", "True"].includes(q.get(k) ?? "");

/** Whether an upgrade request asks for a websocket. */
export function isWebsocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? "").toLowerCase() === "websocket";
}

/**
 * GET /containers/{id}/attach/ws: the container's stdio over a websocket, as
 * dockerd serves it: raw output (no stdcopy framing) in binary frames from API
 * 1.28 on (text frames before), stdin from the client's messages, closed when
 * PID 1 exits.
 */
export function attachWebsocket(engine: Engine, log: Logger, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? "/", "http://x");
  const { version, path } = splitVersionPrefix(url.pathname);
  const apiVersion = version ?? MAX_API_VERSION;
  let status = 101;
  try {
    const refusal = version ? unsupportedVersionMessage(version) : undefined;
    if (refusal) return writeResponse(socket, (status = 400), { message: refusal });
    const m = req.method === "GET" ? ATTACH_WS.exec(path) : null;
    if (!m) return writeResponse(socket, (status = 404), { message: "page not found" });
    const container = engine.containers.get(decodeURIComponent(m[1]));
    sockets.handleUpgrade(req, socket, head, (ws) => serve(engine, container.id, url.searchParams, ws, versionAtLeast(apiVersion, "1.28")));
  } catch (err) {
    status = err instanceof DockerError ? err.status : 500;
    writeResponse(socket, status, { message: (err as Error).message });
  } finally {
    log.info({ method: req.method, path: url.pathname, status, websocket: true }, "request");
  }
}

function serve(engine: Engine, id: string, q: URLSearchParams, ws: import("ws").WebSocket, binary: boolean): void {
  const { containers } = engine;
  const container = containers.get(id);
  const wanted = (stream: number) => (stream === 1 ? flag(q, "stdout") : flag(q, "stderr"));
  const send = (stream: number, data: Buffer) => {
    if (wanted(stream) && ws.readyState === ws.OPEN) ws.send(data, { binary });
  };
  if (flag(q, "logs")) for (const e of containers.logs.after(id)) send(e.stream, e.data);
  engine.events.container(container, "attach");
  if (!flag(q, "stream")) return ws.close();

  const onOutput = (c: OutputChunk) => send(c.stream, c.data);
  const close = () => ws.close();
  containers.bus.on(`output:${id}`, onOutput);
  containers.bus.on(`exit:${id}`, close);
  containers.bus.on(`removed:${id}`, close);
  const stdin = flag(q, "stdin") && container.config.OpenStdin ? containerStdin(containers, id) : undefined;
  ws.on("message", (data: RawData) => stdin?.deliver(Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])));
  ws.on("close", () => {
    containers.bus.off(`output:${id}`, onOutput);
    containers.bus.off(`exit:${id}`, close);
    containers.bus.off(`removed:${id}`, close);
    stdin?.dispose();
  });
}
