import { getRequestListener } from "@hono/node-server";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, unlinkSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { dirname } from "node:path";
import type { Logger } from "pino";
import type { Engine } from "../engine/engine.js";
import { createApp } from "./app.js";
import { attachWebsocket, isWebsocketUpgrade } from "./hijack/attach-ws.js";
import { handleHijack, isHijackRoute } from "./hijack/dispatch.js";
import { bearerRefusal, checkExposure, unauthorizedResponse, type ListenAddress, type TlsFiles } from "./listen.js";

export interface ApiServer {
  /** Stops accepting, lets in-flight requests finish until the deadline, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

async function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(path);
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

async function prepareUnixSocket(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  if (await socketInUse(path)) throw new Error(`${path} is in use by another daemon`);
  unlinkSync(path);
}

function listen(server: net.Server, addr: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => (server.off("error", reject), resolve());
    if (addr.kind === "unix") server.listen(addr.path, done);
    else server.listen(addr.port, addr.host, done);
  });
}

export interface ServeOptions {
  /** The bearer token every request on a TCP listener must carry (unix sockets are guarded by their mode). */
  authToken?: string;
}

/** Serves the API on every address; refuses exposed TCP without mutual TLS. */
export async function startApiServer(engine: Engine, log: Logger, addresses: ListenAddress[], tls?: TlsFiles, options: ServeOptions = {}): Promise<ApiServer> {
  for (const addr of addresses) checkExposure(addr, tls);
  const app = createApp(engine, log);
  const honoListener = getRequestListener((req, env) => app.fetch(req, env));
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (isHijackRoute(req.method, req.url ?? "/")) {
      res.detachSocket(req.socket);
      return void handleHijack(engine, log, req, req.socket, Buffer.alloc(0));
    }
    return honoListener(req, res);
  };
  const { authToken } = options;
  /** Whether a TCP request lacks the bearer token; if so it has been answered 401 and must go no further. */
  const refused = (req: http.IncomingMessage, answer: (text: string) => void): boolean => {
    const message = authToken === undefined ? undefined : bearerRefusal(req.headers.authorization, authToken);
    if (message === undefined) return false;
    log.info({ method: req.method, path: (req.url ?? "/").split("?")[0], status: 401, remote: req.socket.remoteAddress }, "request refused");
    answer(message);
    return true;
  };
  const guardedListener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const answer = (message: string) => {
      const body = JSON.stringify({ message });
      res.writeHead(401, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), "WWW-Authenticate": 'Bearer realm="sockerless"' }).end(body);
    };
    if (refused(req, answer)) return;
    listener(req, res);
  };
  const servers: http.Server[] = [];
  const sockets = new Set<net.Socket>();
  try {
    for (const addr of addresses) {
      const useTls = addr.kind === "tcp" && tls !== undefined;
      const guarded = addr.kind === "tcp" && authToken !== undefined;
      const server = useTls
        ? https.createServer(
            {
              cert: readFileSync(tls.cert),
              key: readFileSync(tls.key),
              ca: tls.ca ? readFileSync(tls.ca) : undefined,
              requestCert: tls.verify,
              rejectUnauthorized: tls.verify,
            },
            guarded ? guardedListener : listener,
          )
        : http.createServer(guarded ? guardedListener : listener);
      // Streams (logs -f, events, wait) may stay open indefinitely.
      server.requestTimeout = 0;
      server.headersTimeout = 60_000;
      server.keepAliveTimeout = 5_000;
      server.on(useTls ? "secureConnection" : "connection", (s: net.Socket) => {
        sockets.add(s);
        s.once("close", () => sockets.delete(s));
      });
      server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
        if (guarded && refused(req, (message) => socket.end(unauthorizedResponse(message)))) return;
        if (isWebsocketUpgrade(req)) attachWebsocket(engine, log, req, socket, head);
        else void handleHijack(engine, log, req, socket, head);
      });
      server.on("clientError", (err, socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"message":"malformed HTTP request"}');
        log.debug({ err: err.message }, "client error");
      });
      if (addr.kind === "unix") await prepareUnixSocket(addr.path);
      await listen(server, addr);
      if (addr.kind === "unix") chmodSync(addr.path, 0o660);
      servers.push(server);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw err;
  }

  return {
    async close(graceMs = 10_000) {
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const s of servers) s.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), graceMs)));
      const outcome = await Promise.race([closed, deadline]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        log.warn({ open: sockets.size }, "shutdown deadline reached; cutting open connections");
        for (const s of sockets) s.destroy();
        await closed;
      }
      for (const addr of addresses) {
        if (addr.kind === "unix" && existsSync(addr.path)) unlinkSync(addr.path);
      }
    },
  };
}
