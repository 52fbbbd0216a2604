import { DockerError } from "../../engine/errors.js";
import { request, type IncomingMessage, type RequestOptions } from "node:http";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";

/** An error answer of the engine: its status and Docker's message reach the client as they are. */
export class EngineError extends DockerError {}

/** Where the engine listens: `unix:///run/docker.sock` or `tcp://HOST:PORT`. */
function target(host: string): Pick<RequestOptions, "socketPath" | "host" | "port"> {
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  if (host.startsWith("tcp://")) {
    const url = new URL(`http://${host.slice("tcp://".length)}`);
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  throw new Error(`docker backend host "${host}" must be unix:///PATH or tcp://HOST:PORT`);
}

export async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function failure(res: IncomingMessage): Promise<EngineError> {
  const text = (await readAll(res)).toString();
  let message = text.trim();
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {
    // Not JSON: the engine's plain text is the message.
  }
  return new EngineError(res.statusCode ?? 500, message);
}

/**
 * A small Docker Engine API client: JSON calls, streamed bodies and hijacked
 * connections, on the API version the engine itself announces.
 */
export class EngineClient {
  private readonly where;
  private version: Promise<string> | undefined;

  constructor(readonly host: string) {
    this.where = target(host);
  }

  private apiVersion(): Promise<string> {
    this.version ??= this.raw("GET", "/_ping").then(async (res) => {
      await readAll(res);
      if (res.statusCode !== 200) throw new EngineError(res.statusCode ?? 500, `the engine at ${this.host} answered /_ping with ${res.statusCode}`);
      return String(res.headers["api-version"] ?? "1.41");
    });
    this.version.catch(() => (this.version = undefined));
    return this.version;
  }

  private raw(method: string, path: string, body?: Buffer | Readable, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ ...this.where, method, path, headers: { Host: "docker", ...headers } }, resolve);
      req.on("error", (e) => reject(new EngineError(502, `the engine at ${this.host} cannot be reached: ${e.message}`)));
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else body.on("error", (e) => req.destroy(e)).pipe(req);
    });
  }

  /** A response whose status is below 300; the body is the caller's to read. */
  async stream(method: string, path: string, body?: Buffer | Readable, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    const res = await this.raw(method, `/v${await this.apiVersion()}${path}`, body, headers);
    if ((res.statusCode ?? 500) >= 300 && res.statusCode !== 304) throw await failure(res);
    return res;
  }

  /** A JSON call; resolves to the parsed answer, or undefined for an empty one. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const res = await this.stream(method, path, payload, payload ? { "Content-Type": "application/json" } : {});
    const text = (await readAll(res)).toString();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Upgrades to a raw stream (attach, exec start), as the docker CLI does with `Upgrade: tcp`. */
  async hijack(path: string, body?: unknown): Promise<Socket> {
    const version = await this.apiVersion();
    const payload = Buffer.from(body === undefined ? "" : JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request({
        ...this.where,
        method: "POST",
        path: `/v${version}${path}`,
        headers: { Host: "docker", Connection: "Upgrade", Upgrade: "tcp", "Content-Type": "application/json", "Content-Length": String(payload.length) },
      });
      req.on("upgrade", (_res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      req.on("response", (res) => void failure(res).then(reject));
      req.on("error", (e) => reject(new EngineError(502, `the engine at ${this.host} cannot be reached: ${e.message}`)));
      req.end(payload);
    });
  }
}
