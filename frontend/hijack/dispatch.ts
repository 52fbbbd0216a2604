import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { MAX_API_VERSION, splitVersionPrefix, unsupportedVersionMessage } from "../../engine/api-version.js";
import type { Engine } from "../../engine/engine.js";
import { DockerError } from "../../engine/errors.js";
import { requestMetrics, UNMATCHED_ROUTE } from "../sockerless/request-metrics.js";
import { attach } from "./attach.js";
import { execStart } from "./exec-start.js";
import { writeResponse } from "./session.js";

/** A request whose answer may take over the connection. */
export interface HijackRequest {
  engine: Engine;
  req: IncomingMessage;
  socket: Duplex;
  /** Bytes that arrived after the request headers (body, then stdin). */
  head: Buffer;
  upgrade: boolean;
  apiVersion: string;
  params: string[];
  query: URLSearchParams;
}

/** Pattern, handler, and the route template metrics name it by. */
const routes: [RegExp, (r: HijackRequest) => Promise<void> | void, string][] = [
  [/^\/containers\/([^/]+)\/attach$/, attach, "/containers/{id}/attach"],
  [/^\/exec\/([^/]+)\/start$/, execStart, "/exec/{id}/start"],
];

function route(path: string) {
  for (const [pattern, handler, template] of routes) {
    const m = pattern.exec(path);
    if (m) return { handler, template, params: m.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}

export function isHijackRoute(method: string | undefined, url: string): boolean {
  return method === "POST" && route(splitVersionPrefix(new URL(url, "http://x").pathname).path) !== undefined;
}

/** Serves attach and exec start on a raw connection, for upgraded and plain requests alike. */
export async function handleHijack(engine: Engine, log: Logger, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const { version, path } = splitVersionPrefix(url.pathname);
  const upgrade = (req.headers.upgrade ?? "").toLowerCase() === "tcp";
  const started = performance.now();
  let status = upgrade ? 101 : 200;
  let template = UNMATCHED_ROUTE;
  try {
    const refusal = version ? unsupportedVersionMessage(version) : undefined;
    if (refusal) return writeResponse(socket, (status = 400), { message: refusal });
    const found = req.method === "POST" ? route(path) : undefined;
    if (!found) return writeResponse(socket, (status = 404), { message: "page not found" });
    template = found.template;
    await found.handler({ engine, req, socket, head, upgrade, apiVersion: version ?? MAX_API_VERSION, params: found.params, query: url.searchParams });
  } catch (err) {
    status = err instanceof DockerError ? err.status : 500;
    if (socket.writable) writeResponse(socket, status, { message: (err as Error).message });
  } finally {
    const ms = performance.now() - started;
    requestMetrics(engine).observe(req.method ?? "POST", template, status, ms / 1000);
    log.info({ method: req.method, path: url.pathname, status, ms: +ms.toFixed(2), hijacked: true }, "request");
  }
}
