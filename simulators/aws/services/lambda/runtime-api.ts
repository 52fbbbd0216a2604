import http from "node:http";
import type { AddressInfo } from "node:net";

/** The most a function may answer, as the Runtime API enforces it (6 MB). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

/** What one instance's Runtime API hands over to the instance it serves. */
export interface RuntimeHandlers {
  /** GET invocation/next: answer `res` when an event is there for the instance. */
  next(res: http.ServerResponse): void;
  response(requestId: string, body: Buffer | "too-large"): RuntimeReply;
  error(requestId: string, errorType: string, body: Buffer): RuntimeReply;
  initError(errorType: string, body: Buffer): RuntimeReply;
}

export interface RuntimeReply {
  status: number;
  json: unknown;
}

export const accepted: RuntimeReply = { status: 202, json: { status: "OK" } };

export function send(res: http.ServerResponse, reply: RuntimeReply): void {
  const body = JSON.stringify(reply.json);
  res.writeHead(reply.status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Reads a request body; past `limit` bytes the rest is drained and "too-large" returned. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on("end", () => resolve(size > limit ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const PREFIX = "/2018-06-01/runtime";
const INVOCATION = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;

/**
 * The Lambda Runtime API of one function instance, on a port of its own
 * (AWS_LAMBDA_RUNTIME_API is a host and port, so instances cannot share one),
 * bound where the workload host says its containers reach it.
 */
export async function startRuntimeApi(handlers: RuntimeHandlers, address: { bind: string; reachAt: string }): Promise<{ hostPort: string; urlPrefix: string; close(): void }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "").split("?")[0];
      if (req.method === "GET" && path === `${PREFIX}/invocation/next`) return handlers.next(res);
      if (req.method !== "POST") return send(res, { status: 404, json: { errorMessage: `No route for ${req.method} ${path}`, errorType: "InvalidRequest" } });
      const errorType = String(req.headers["lambda-runtime-function-error-type"] ?? "");
      const body = await readBody(req, MAX_RESPONSE_BYTES);
      if (path === `${PREFIX}/init/error`) return send(res, handlers.initError(errorType, body === "too-large" ? Buffer.alloc(0) : body));
      const m = INVOCATION.exec(path);
      if (!m) return send(res, { status: 404, json: { errorMessage: `No route for ${req.method} ${path}`, errorType: "InvalidRequest" } });
      const requestId = decodeURIComponent(m[1]);
      if (m[2] === "response") return send(res, handlers.response(requestId, body));
      return send(res, handlers.error(requestId, errorType, body === "too-large" ? Buffer.alloc(0) : body));
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, json: { errorMessage: err instanceof Error ? err.message : String(err), errorType: "ServiceException" } });
    });
  });
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, address.bind, resolve);
  });
  const hostPort = `${address.reachAt}:${(server.address() as AddressInfo).port}`;
  return {
    hostPort,
    urlPrefix: `http://${hostPort}${PREFIX}/`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
