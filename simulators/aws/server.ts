import { randomUUID } from "node:crypto";
import http from "node:http";
import type net from "node:net";
import { getRequestListener, type HttpBindings } from "@hono/node-server";
import { Hono, type Context } from "hono";
import type { Logger } from "pino";
import { AwsError } from "./errors.js";
import { asAwsError, jsonError, jsonResponse, queryError, queryResponse, restJsonError, type Protocol, type WireResponse } from "./protocols.js";
import type { AwsRequest, JsonInput } from "./request.js";
import type { AwsService, RestOperation } from "./service.js";
import { verifySignature, type Credential } from "./sigv4.js";

type Env = { Bindings: HttpBindings };

/** The largest API request body taken (Lambda's 6 MB payloads fit, with room for their JSON escaping). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface ServerOptions {
  services: AwsService[];
  credentials: ReadonlyMap<string, Credential>;
  log: Logger;
  health: () => Record<string, unknown>;
}

function send(c: Context<Env>, r: WireResponse): Response {
  return new Response(typeof r.body === "string" ? r.body : new Uint8Array(r.body), { status: r.status, headers: r.headers });
}

/** The body, refused with `tooLarge` (each protocol family names it its own way) past MAX_BODY_BYTES. */
async function readBody(c: Context<Env>, tooLarge = "RequestEntityTooLargeException"): Promise<Buffer> {
  const refuse = () => new AwsError(tooLarge, `Request must be smaller than ${MAX_BODY_BYTES} bytes for the operation`, 413);
  if (Number(c.req.header("content-length") ?? 0) > MAX_BODY_BYTES) throw refuse();
  const body = Buffer.from(await c.req.arrayBuffer());
  if (body.length > MAX_BODY_BYTES) throw refuse();
  return body;
}

function parseJson(body: Buffer, code: string): JsonInput {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw new AwsError(code, "Could not parse request body into json: malformed JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new AwsError(code, "Could not parse request body into json: expected an object");
  return value as JsonInput;
}

/**
 * The simulator's HTTP front: routes each request to its service the way
 * AWS clients address them (X-Amz-Target for JSON services, Action for Query
 * services, paths for REST services), verifies SigV4, and renders results
 * and errors in the service's own protocol. It listens before the services
 * exist (they need to know the endpoint it got): its routes are built from
 * `services` as the list stands at a request, again whenever it grew.
 */
export function createServer(options: ServerOptions): http.Server {
  const { services } = options;
  let routed = -1;
  let listener: http.RequestListener | undefined;
  const server = http.createServer((req, res) => {
    if (routed !== services.length) {
      const app = createApp(options);
      listener = getRequestListener((request, env) => app.fetch(request, env));
      routed = services.length;
    }
    return listener!(req, res);
  });
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (!services.some((s) => s.upgrade?.(req, socket, head))) socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
  });
  return server;
}

function createApp(options: ServerOptions): Hono<Env> {
  const { services, credentials, log } = options;
  const app = new Hono<Env>();
  const byTarget = new Map<string, AwsService>();
  for (const s of services) if (s.json) byTarget.set(s.json.targetPrefix, s);

  const verify = (c: Context<Env>, body: Buffer): AwsRequest => {
    const incoming = c.env.incoming;
    const url = new URL(c.req.url);
    const rawQuery = url.search.startsWith("?") ? url.search.slice(1) : "";
    const signed = verifySignature({ method: c.req.method, rawPath: url.pathname, rawQuery, headers: incoming.headers, body }, credentials);
    return {
      method: c.req.method,
      rawPath: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body,
      region: signed.region,
      service: signed.service,
      accessKeyId: signed.credential.accessKeyId,
      accountId: signed.credential.accountId,
      requestId: randomUUID(),
    };
  };

  const failed = (protocol: Protocol, err: unknown, respond: (e: AwsError) => WireResponse): WireResponse => {
    const e = asAwsError(err, protocol);
    if (e.status >= 500) log.error({ err }, "request failed");
    return respond(e);
  };

  app.get("/_sockerless/health", (c) => c.json(options.health()));
  for (const s of services) s.routes?.(app as unknown as Hono);
  for (const s of services) for (const op of s.rest ?? []) app.on(op.method, op.path, (c) => restCall(c, op));

  async function restCall(c: Context<Env>, op: RestOperation): Promise<Response> {
    const requestId = randomUUID();
    try {
      const body = await readBody(c, "RequestTooLargeException");
      const req = verify(c, body);
      const input = !op.payload && (c.req.header("content-type") ?? "").includes("json") ? parseJson(body, "InvalidRequestContentException") : {};
      const result = await op.handler(req, c.req.param() as Record<string, string>, input);
      const headers = { "x-amzn-requestid": req.requestId, ...(result.json !== undefined ? { "content-type": "application/json" } : {}), ...result.headers };
      const payload = result.json !== undefined ? JSON.stringify(result.json) : (result.body ?? "");
      return send(c, { status: result.status ?? 200, headers, body: payload });
    } catch (err) {
      return send(c, failed("rest-json", err, (e) => restJsonError(requestId, e)));
    }
  }

  app.post("/", async (c) => {
    const target = c.req.header("x-amz-target");
    if (target !== undefined) return send(c, await jsonCall(c, target));
    return send(c, await queryCall(c));
  });

  async function jsonCall(c: Context<Env>, target: string): Promise<WireResponse> {
    const dot = target.lastIndexOf(".");
    const service = byTarget.get(target.slice(0, dot));
    const contentType = `application/x-amz-json-${service?.json?.version ?? "1.1"}`;
    const requestId = randomUUID();
    try {
      const body = await readBody(c);
      const req = verify(c, body);
      const operation = service?.json?.operations[target.slice(dot + 1)];
      if (!operation) throw new AwsError("UnknownOperationException", `Operation ${target} is not supported by this simulator`);
      const output = await operation(parseJson(body, "SerializationException"), req);
      return jsonResponse(contentType, req.requestId, output);
    } catch (err) {
      return failed("json", err, (e) => jsonError(contentType, requestId, e));
    }
  }

  async function queryCall(c: Context<Env>): Promise<WireResponse> {
    const requestId = randomUUID();
    let xmlns = "https://sts.amazonaws.com/doc/2011-06-15/";
    try {
      const body = await readBody(c);
      const req = verify(c, body);
      const service = services.find((s) => s.query && s.signingName === req.service);
      if (!service?.query) throw new AwsError("InvalidAction", `The simulator serves no Query API for the service "${req.service}"`);
      xmlns = service.query.xmlns;
      const params = new URLSearchParams(body.toString("utf8"));
      for (const [k, v] of req.query) if (!params.has(k)) params.set(k, v);
      const action = params.get("Action") ?? "";
      const operation = service.query.operations[action];
      if (!operation) throw new AwsError("InvalidAction", `Could not find operation ${action} for version ${params.get("Version") ?? ""}`);
      return queryResponse(xmlns, action, req.requestId, await operation(params, req));
    } catch (err) {
      return failed("query", err, (e) => queryError(xmlns, requestId, e));
    }
  }

  app.notFound((c) => c.json({ message: `No simulated AWS API serves ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  return app;
}
