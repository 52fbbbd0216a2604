import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { WebSocket, type RawData } from "ws";
import { decodeAgentMessage, MessageType, PayloadType, type AgentMessage } from "./framing.js";
import { DataStream } from "./stream.js";
import { STREAM_PAYLOAD_SIZE } from "./utf8-chunker.js";
import { toBuffer } from "./ws-data.js";

/** The session-manager-plugin version whose behaviour this client follows, as it tells the agent. */
export const CLIENT_VERSION = "1.2.707.0";
const SHELL_SESSION_TYPES = new Set(["Standard_Stream", "InteractiveCommands", "NonInteractiveCommands"]);

export interface SessionEndpoint {
  streamUrl: string;
  tokenValue: string;
}

export interface SessionIo {
  /** Sent to the command as it is read; the protocol has no end-of-input, so the command sees none. */
  stdin?: Buffer | string | Readable;
  onStdout(data: Buffer): void;
  onStderr(data: Buffer): void;
  /** The terminal size, sent once the handshake is complete. */
  columns?: number;
  rows?: number;
  /** Ends the session from this side: the data channel closes and the promise rejects with the reason. */
  signal?: AbortSignal;
  /** Called once the agent is ready, with controls for the rest of the session. */
  onReady?(session: SessionControls): void;
}

export interface SessionControls {
  /** Sends input to the command. */
  write(data: Buffer | string): void;
  /** Tells the agent the terminal's new size, as the plugin does when its window changes. */
  resize(columns: number, rows: number): void;
}

export interface SessionResult {
  /** The command's exit code when the agent reports one (NonInteractiveCommands), else null: terminal sessions never carry it. */
  exitCode: number | null;
  /** What channel_closed said; empty when the session simply ended. */
  closeMessage: string;
}

interface RequestedClientAction {
  ActionType: string;
  ActionParameters?: { SessionType?: string };
}

/**
 * A Session Manager client that speaks the data channel as
 * session-manager-plugin does: it opens the WebSocket with the token, answers
 * the agent's handshake, then sends input and terminal size as
 * input_stream_data, acknowledges every stream message, orders and
 * de-duplicates what it receives, resends what is not acknowledged, and ends
 * on channel_closed.
 */
export function runSession(endpoint: SessionEndpoint, io: SessionIo): Promise<SessionResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(endpoint.streamUrl);
    let exitCode: number | null = null;
    let ready = false;
    let settled = false;

    const stream = new DataStream({
      outgoingType: MessageType.InputStreamData,
      incomingType: MessageType.OutputStreamData,
      synOnFirst: false,
      write: (frame) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(frame);
      },
      deliver: (m) => onStreamMessage(m),
      maxResends: 3000,
      onResendTimeout: () => fail(new Error("the agent stopped acknowledging input")),
    });

    const settle = () => {
      settled = true;
      stream.close();
      io.signal?.removeEventListener("abort", abort);
      if (io.stdin && typeof io.stdin !== "string" && !Buffer.isBuffer(io.stdin)) io.stdin.off("data", sendInput);
    };
    const fail = (err: Error) => {
      if (settled) return;
      settle();
      ws.terminate();
      reject(err);
    };

    const sendInput = (data: Buffer | string) => {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      for (let i = 0; i < bytes.length; i += STREAM_PAYLOAD_SIZE) stream.send(PayloadType.Output, bytes.subarray(i, i + STREAM_PAYLOAD_SIZE));
    };

    const resize = (columns: number, rows: number) => {
      if (!settled) stream.send(PayloadType.Size, Buffer.from(JSON.stringify({ cols: columns, rows })));
    };
    const begin = () => {
      if (ready) return;
      ready = true;
      if (io.columns && io.rows) resize(io.columns, io.rows);
      if (typeof io.stdin === "string" || Buffer.isBuffer(io.stdin)) sendInput(io.stdin);
      else io.stdin?.on("data", sendInput);
      io.onReady?.({
        write: (data) => {
          if (!settled) sendInput(data);
        },
        resize,
      });
    };

    const answerHandshake = (m: AgentMessage) => {
      const request = JSON.parse(m.payload.toString("utf8")) as { RequestedClientActions?: RequestedClientAction[] };
      const errors: string[] = [];
      const processed = (request.RequestedClientActions ?? []).map((action) => {
        let error = "";
        if (action.ActionType === "SessionType") {
          const type = action.ActionParameters?.SessionType ?? "";
          if (!SHELL_SESSION_TYPES.has(type)) error = `Failed to process action SessionType: Unknown session type ${type}`;
        } else if (action.ActionType === "KMSEncryption") error = "Failed to process action KMSEncryption: this client does not encrypt sessions with KMS";
        else error = `Unsupported action ${action.ActionType}`;
        if (error) errors.push(error);
        return { ActionType: action.ActionType, ActionStatus: error ? (action.ActionType === "SessionType" || action.ActionType === "KMSEncryption" ? 2 : 3) : 1, ActionResult: null, Error: error };
      });
      stream.send(PayloadType.HandshakeResponse, Buffer.from(JSON.stringify({ ClientVersion: CLIENT_VERSION, ProcessedClientActions: processed, Errors: errors.length ? errors : null })));
    };

    const onStreamMessage = (m: AgentMessage) => {
      switch (m.payloadType) {
        case PayloadType.HandshakeRequest:
          return answerHandshake(m);
        case PayloadType.HandshakeComplete:
          return begin();
        case PayloadType.Output:
          // An agent that skips the handshake starts with output, as the plugin assumes.
          begin();
          return io.onStdout(m.payload);
        case PayloadType.StdErr:
          return io.onStderr(m.payload);
        case PayloadType.ExitCode: {
          const code = /EXIT_CODE:\s*(-?\d+)/.exec(m.payload.toString("utf8"));
          if (code) exitCode = Number(code[1]);
          return;
        }
      }
    };

    const channelClosed = (m: AgentMessage) => {
      if (settled) return;
      let closeMessage = "";
      try {
        closeMessage = String((JSON.parse(m.payload.toString("utf8")) as { Output?: unknown }).Output ?? "");
      } catch {
        // The plugin ends the session even when channel_closed cannot be read.
      }
      settle();
      ws.close(1000);
      resolve({ exitCode, closeMessage });
    };

    const abort = () => fail(io.signal?.reason instanceof Error ? io.signal.reason : new Error("the session was aborted"));
    if (io.signal?.aborted) return abort();
    io.signal?.addEventListener("abort", abort, { once: true });

    ws.on("open", () => {
      ws.send(JSON.stringify({ MessageSchemaVersion: "1.0", RequestId: randomUUID(), TokenValue: endpoint.tokenValue, ClientId: randomUUID(), ClientVersion: CLIENT_VERSION }));
    });
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary || settled) return;
      let m: AgentMessage;
      try {
        m = decodeAgentMessage(toBuffer(data));
      } catch {
        // The plugin drops a message it cannot read and waits for its resend.
        return;
      }
      try {
        if (m.messageType === MessageType.ChannelClosed) channelClosed(m);
        else stream.receive(m);
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    });
    ws.on("error", (err) => fail(err));
    ws.on("close", (code, reason) => fail(new Error(`data channel closed before the session ended: ${code} ${reason.toString("utf8")}`.trim())));
  });
}
