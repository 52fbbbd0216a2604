import { randomBytes, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import type net from "node:net";
import type { Logger } from "pino";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { SessionBroker } from "../service.js";
import type { ExecHandle, OutputListener } from "../workloads.js";
import { runAgent, type SessionType } from "./agent.js";
import { toBuffer } from "./ws-data.js";

/** How long a session waits for its client to connect with the token, unless told otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;

const DATA_CHANNEL_PATH = /^\/v1\/data-channel\/([A-Za-z0-9_.@-]+)$/;
/** WebSocket close code the service uses to refuse a request to open a data channel. */
const REFUSED = 1003;

export interface SessionSpec {
  target: string;
  start: (onOutput: OutputListener) => Promise<ExecHandle>;
  /** InteractiveCommands, as ECS ExecuteCommand opens, unless given. */
  sessionType?: SessionType;
}

interface PendingSession {
  spec: SessionSpec;
  token: string;
  expiry: NodeJS.Timeout;
}

/**
 * Session Manager's message gateway for the simulator: sessions wait for
 * their client on `/v1/data-channel/<session id>` until they expire; the
 * first message on the WebSocket must be the open-data-channel request with
 * the session's token, else the channel is closed with 1003 as the service
 * does. A token opens its session once.
 */
export class SessionManager implements SessionBroker {
  private readonly pending = new Map<string, PendingSession>();
  private readonly live = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(
    private readonly endpoint: string,
    private readonly log: Logger,
    private readonly connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
  ) {}

  open(spec: SessionSpec): { sessionId: string; streamUrl: string; tokenValue: string } {
    const sessionId = `ecs-execute-command-${randomBytes(9).toString("hex").slice(0, 17)}`;
    const token = randomBytes(256).toString("base64");
    const expiry = setTimeout(() => {
      this.pending.delete(sessionId);
      this.log.info({ sessionId }, "session expired before a client connected");
    }, this.connectTimeoutMs);
    expiry.unref();
    this.pending.set(sessionId, { spec, token, expiry });
    const base = this.endpoint.replace(/^http/, "ws");
    const cell = randomBytes(24).toString("base64url");
    return { sessionId, streamUrl: `${base}/v1/data-channel/${sessionId}?role=publish_subscribe&cell-number=${cell}`, tokenValue: token };
  }

  upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): boolean {
    const match = DATA_CHANNEL_PATH.exec(new URL(req.url ?? "/", "http://localhost").pathname);
    if (!match || req.method !== "GET") return false;
    const sessionId = match[1];
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(sessionId, ws));
    return true;
  }

  /** Sessions opened and not yet connected to (nor expired), and data channels open now. */
  counts(): { waiting: number; connected: number } {
    return { waiting: this.pending.size, connected: this.live.size };
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.expiry);
    this.pending.clear();
    for (const ws of this.live) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(sessionId: string, ws: WebSocket): void {
    this.live.add(ws);
    ws.once("close", () => this.live.delete(ws));
    const refuse = (why: string) => ws.close(REFUSED, `Channel ${sessionId}: ${why}`);
    const waiting = setTimeout(() => refuse("request to open data channel does not contain token."), this.connectTimeoutMs);
    ws.once("message", (data: RawData, isBinary: boolean) => {
      clearTimeout(waiting);
      const token = isBinary ? undefined : openRequestToken(toBuffer(data));
      if (token === undefined) return refuse("request to open data channel does not contain token.");
      const session = this.pending.get(sessionId);
      if (!session || !sameToken(session.token, token)) return refuse("the token is not valid for this data channel, or has expired.");
      clearTimeout(session.expiry);
      this.pending.delete(sessionId);
      const sessionType = session.spec.sessionType ?? "InteractiveCommands";
      this.log.info({ sessionId, target: session.spec.target, sessionType }, "session client connected");
      void runAgent(ws, { sessionId, target: session.spec.target, sessionType, start: session.spec.start }, this.log).then(() => this.log.info({ sessionId }, "session ended"));
    });
  }
}

/** The TokenValue of an open-data-channel request ({MessageSchemaVersion, RequestId, TokenValue, ClientId, ClientVersion}). */
function openRequestToken(data: Buffer): string | undefined {
  try {
    const request = JSON.parse(data.toString("utf8")) as { TokenValue?: unknown };
    return typeof request.TokenValue === "string" && request.TokenValue !== "" ? request.TokenValue : undefined;
  } catch {
    return undefined;
  }
}

function sameToken(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
