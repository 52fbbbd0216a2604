import type { AwsService, SimContext } from "../service.js";
import { SessionManager } from "./broker.js";

/**
 * Session Manager: the data channel (WebSocket) ECS ExecuteCommand sessions
 * stream over, served on the simulator's own port. Its JSON API (StartSession
 * and the rest) is not served: every operation answers UnknownOperationException.
 */
export function createSessionManager(ctx: Pick<SimContext, "endpoint" | "log">, options: { connectTimeoutMs?: number } = {}): { service: AwsService; sessions: SessionManager } {
  const sessions = new SessionManager(ctx.endpoint, ctx.log, options.connectTimeoutMs);
  return {
    service: {
      signingName: "ssm",
      json: { targetPrefix: "AmazonSSM", version: "1.1", operations: {} },
      upgrade: (req, socket, head) => sessions.upgrade(req, socket, head),
      health: () => ({
        dataChannel: "/v1/data-channel/<session id> (WebSocket)",
        sessions: sessions.counts(),
        notSimulated: [
          "the Systems Manager API (StartSession, ResumeSession, TerminateSession, DescribeSessions and the rest)",
          "resuming a session on a new data channel, KMS-encrypted sessions, port forwarding sessions",
          "SigV4 on the data channel's WebSocket request: the session's token alone opens it",
        ],
      }),
      close: () => sessions.close(),
    },
    sessions,
  };
}
