import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { RawData, WebSocket } from "ws";
import type { ExecHandle, OutputListener } from "../workloads.js";
import { decodeAgentMessage, encodeAgentMessage, MessageType, newMessage, PayloadType, type AgentMessage } from "./framing.js";
import { DataStream } from "./stream.js";
import { Utf8Chunker } from "./utf8-chunker.js";
import { toBuffer } from "./ws-data.js";

/**
 * The session documents' types. ECS ExecuteCommand sessions are
 * InteractiveCommands (ECS serves interactive mode only); the agent runs
 * them on a terminal and sends everything as Output. NonInteractiveCommands
 * is the agent's exec.Cmd mode with separateOutputStream: stdout as Output,
 * stderr as StdErr, then the exit code as an ExitCode payload.
 */
export type SessionType = "InteractiveCommands" | "NonInteractiveCommands";

/** The agent version this data channel speaks for, as its handshake reports it. */
export const AGENT_VERSION = "3.3.1802.0";
/** How long the agent waits for the client's HandshakeResponse. */
const HANDSHAKE_TIMEOUT_MS = 15_000;
/** How long the agent waits for its last output to be acknowledged before closing the channel. */
const CLOSE_DRAIN_MS = 5_000;

export interface AgentSession {
  sessionId: string;
  target: string;
  sessionType: SessionType;
  start(onOutput: OutputListener): Promise<ExecHandle>;
}

interface ProcessedClientAction {
  ActionType: string;
  ActionStatus: number;
  Error?: string;
}

/**
 * The SSM agent's half of a session on a client's authenticated data channel:
 * the handshake (SessionType), then the process: input and terminal size in,
 * output out, and channel_closed when it has exited.
 *
 * What session-manager-plugin sees at the end: for InteractiveCommands, the
 * output then channel_closed with an empty Output; it prints "Exiting session
 * with sessionId: …" and exits 0 whatever the command's status (the agent
 * never sends it on a terminal session, so `aws ecs execute-command` cannot
 * report it either). For NonInteractiveCommands an ExitCode payload
 * "EXIT_CODE: <n>" comes before channel_closed; the plugin prints it as
 * output.
 */
export function runAgent(ws: WebSocket, session: AgentSession, log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const startedAt = process.hrtime.bigint();
    const chunkers = { 1: new Utf8Chunker(), 2: new Utf8Chunker() };
    let handle: ExecHandle | undefined;
    let handshakeDone = false;
    let ended = false;
    const pendingInput: AgentMessage[] = [];

    const write = (frame: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(frame);
    };
    const stream = new DataStream({
      outgoingType: MessageType.OutputStreamData,
      incomingType: MessageType.InputStreamData,
      synOnFirst: true,
      write,
      deliver: (m) => onStreamMessage(m),
      // The agent gives up on a client that stops acknowledging (5 minutes of resends).
      maxResends: 3000,
      onResendTimeout: () => void end("The session was terminated because the client stopped acknowledging its output."),
    });
    const sendJson = (payloadType: number, value: unknown) => stream.send(payloadType, Buffer.from(JSON.stringify(value)));

    const handshakeTimer = setTimeout(() => void end("Handshake timed out. Please ensure that you have the latest version of the session manager plugin."), HANDSHAKE_TIMEOUT_MS);

    const end = async (output: string) => {
      if (ended) return;
      ended = true;
      clearTimeout(handshakeTimer);
      await stream.drained(CLOSE_DRAIN_MS);
      const closed = {
        MessageId: randomUUID(),
        CreatedDate: new Date().toISOString(),
        DestinationId: session.target,
        SessionId: session.sessionId,
        MessageType: MessageType.ChannelClosed,
        SchemaVersion: 1,
        Output: output,
      };
      write(encodeAgentMessage(newMessage(MessageType.ChannelClosed, { sequenceNumber: 0, flags: 3, payloadType: 0, payload: Buffer.from(JSON.stringify(closed)) })));
      stream.close();
      ws.close(1000);
      resolve();
    };

    // A terminal merges the streams; the exec.Cmd mode keeps stderr apart.
    const payloadTypeOf = (fd: 1 | 2) => (fd === 2 && session.sessionType === "NonInteractiveCommands" ? PayloadType.StdErr : PayloadType.Output);
    const onOutput: OutputListener = (fd, data) => {
      for (const chunk of chunkers[fd].push(data)) stream.send(payloadTypeOf(fd), chunk);
    };

    const startProcess = async () => {
      try {
        handle = await session.start(onOutput);
      } catch (err) {
        log.warn({ err, sessionId: session.sessionId }, "session command did not start");
        return end(`Unable to start command: ${err instanceof Error ? err.message : String(err)}`);
      }
      for (const m of pendingInput.splice(0)) input(m);
      let exitCode: number;
      try {
        exitCode = await handle.exited;
      } catch (err) {
        return end(`The command ended without an exit status: ${err instanceof Error ? err.message : String(err)}`);
      }
      for (const fd of [1, 2] as const) for (const chunk of chunkers[fd].flush()) stream.send(payloadTypeOf(fd), chunk);
      if (session.sessionType === "NonInteractiveCommands") stream.send(PayloadType.ExitCode, Buffer.from(`EXIT_CODE: ${exitCode}`));
      await end("");
    };

    const input = (m: AgentMessage) => {
      if (!handle) {
        pendingInput.push(m);
        return;
      }
      if (m.payloadType === PayloadType.Output) handle.writeStdin(m.payload);
      else if (m.payloadType === PayloadType.Size) {
        const size = JSON.parse(m.payload.toString("utf8")) as { cols?: number; rows?: number };
        if (size.cols && size.rows) handle.resize(size.rows, size.cols);
      } else log.debug({ sessionId: session.sessionId, payloadType: m.payloadType }, "input payload type not taken by a command session");
    };

    const onStreamMessage = (m: AgentMessage) => {
      if (m.payloadType === PayloadType.HandshakeResponse) return handshakeResponse(m);
      // Until the handshake is complete the agent ignores stream data.
      if (handshakeDone && !ended) input(m);
    };

    const handshakeResponse = (m: AgentMessage) => {
      if (handshakeDone) return;
      clearTimeout(handshakeTimer);
      const response = JSON.parse(m.payload.toString("utf8")) as { ProcessedClientActions?: ProcessedClientAction[] };
      const failed = (response.ProcessedClientActions ?? []).find((a) => a.ActionStatus !== 1);
      if (failed) return void end(`${failed.ActionType} failed on client with status ${failed.ActionStatus} error: ${failed.Error ?? ""}`);
      handshakeDone = true;
      sendJson(PayloadType.HandshakeComplete, { HandshakeTimeToComplete: Number(process.hrtime.bigint() - startedAt), CustomerMessage: "" });
      void startProcess();
    };

    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary) return;
      let m: AgentMessage;
      try {
        m = decodeAgentMessage(toBuffer(data));
      } catch (err) {
        log.debug({ err, sessionId: session.sessionId }, "invalid data channel message dropped");
        return;
      }
      if (m.messageType === MessageType.ChannelClosed) return void end("");
      stream.receive(m);
    });
    ws.on("close", () => {
      stream.close();
      clearTimeout(handshakeTimer);
      if (!ended) {
        ended = true;
        // A client that went away leaves the command without input, as a closed terminal would.
        handle?.writeStdin(null);
        resolve();
      }
    });

    sendJson(PayloadType.HandshakeRequest, {
      AgentVersion: AGENT_VERSION,
      RequestedClientActions: [{ ActionType: "SessionType", ActionParameters: { SessionType: session.sessionType, Properties: null } }],
    });
  });
}
