import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket, type RawData } from "ws";
import { createServer } from "../server.js";
import type { ExecHandle, OutputListener } from "../workloads.js";
import type { SessionType } from "./agent.js";
import { runSession } from "./client.js";
import { acknowledgeFor, decodeAgentMessage, encodeAgentMessage, MessageType, newMessage, PayloadType, type AgentMessage } from "./framing.js";
import { createSessionManager } from "./index.js";

const log = pino({ level: "silent" });
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The session manager behind the simulator's own HTTP front, on a free loopback port. */
async function startManager(options: { connectTimeoutMs?: number } = {}) {
  const services: Parameters<typeof createServer>[0]["services"] = [];
  const server = createServer({ services, credentials: new Map(), log, health: () => ({}) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { service, sessions } = createSessionManager({ endpoint, log }, options);
  services.push(service);
  closers.push(async () => {
    await service.close?.();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  return { endpoint, sessions };
}

/** A stand-in process: it runs `script` once started and records its input and sizes. */
function fakeProcess(script: (p: { out: OutputListener; exit: (code: number) => void; stdin: Buffer[] }) => void, onStdin?: (data: Buffer | null, p: { out: OutputListener; exit: (code: number) => void }) => void) {
  const record = { started: 0, stdin: [] as Buffer[], sizes: [] as [number, number][], eof: false };
  const start = async (out: OutputListener): Promise<ExecHandle> => {
    record.started++;
    let exit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    const p = { out, exit, stdin: record.stdin };
    queueMicrotask(() => script(p));
    return {
      writeStdin: (data) => {
        if (data === null) record.eof = true;
        else record.stdin.push(data);
        onStdin?.(data, p);
      },
      resize: (rows, columns) => record.sizes.push([rows, columns]),
      exited,
    };
  };
  return { start, record };
}

function collect() {
  const out = { stdout: "", stderr: "" };
  return { out, io: { onStdout: (d: Buffer) => (out.stdout += d.toString()), onStderr: (d: Buffer) => (out.stderr += d.toString()) } };
}

async function waitUntil(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; !probe(); delay = Math.min(delay * 2, 100)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** A bare WebSocket peer, for what the client would never do. */
async function rawPeer(url: string) {
  const ws = new WebSocket(url);
  const messages: AgentMessage[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on("message", (data: RawData, isBinary) => {
    if (isBinary) messages.push(decodeAgentMessage(data as Buffer));
  });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  return { ws, messages, closed };
}

describe("Session Manager sessions", () => {
  it("runs an interactive command: output in, channel_closed out, no exit code, as the agent does on a terminal", async () => {
    const { sessions } = await startManager();
    const p = fakeProcess(({ out, exit }) => {
      out(1, Buffer.from("hello\n"));
      out(2, Buffer.from("warning\n"));
      exit(3);
    });
    const session = sessions.open({ target: "ecs:c_t_r", start: p.start });
    expect(session.sessionId).toMatch(/^ecs-execute-command-[0-9a-f]{17}$/);
    expect(session.streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v1/data-channel/${session.sessionId}\\?role=publish_subscribe&cell-number=`));
    const { out, io } = collect();
    const result = await runSession(session, io);
    expect(result).toEqual({ exitCode: null, closeMessage: "" });
    expect(out).toEqual({ stdout: "hello\nwarning\n", stderr: "" });
    expect(p.record.started).toBe(1);
  });

  it("runs a non-interactive command with stderr apart and its exit code", async () => {
    const { sessions } = await startManager();
    const p = fakeProcess(({ out, exit }) => {
      out(1, Buffer.from("out"));
      out(2, Buffer.from("err"));
      exit(7);
    });
    const { out, io } = collect();
    const result = await runSession(sessions.open({ target: "t", start: p.start, sessionType: "NonInteractiveCommands" as SessionType }), io);
    expect(result.exitCode).toBe(7);
    expect(out).toEqual({ stdout: "out", stderr: "err" });
  });

  it("carries large output intact, in payloads of at most 1024 bytes cut between characters", async () => {
    const { sessions } = await startManager();
    const text = "héllo wörld ✓ ".repeat(20_000);
    const bytes = Buffer.from(text);
    const p = fakeProcess(({ out, exit }) => {
      for (let i = 0; i < bytes.length; i += 777) out(1, bytes.subarray(i, i + 777));
      exit(0);
    });
    const chunks: Buffer[] = [];
    await runSession(sessions.open({ target: "t", start: p.start }), { onStdout: (d) => chunks.push(d), onStderr: () => {} });
    expect(Buffer.concat(chunks).toString()).toBe(text);
    expect(chunks.every((c) => c.length <= 1024 && !c.toString().includes("\uFFFD"))).toBe(true);
  });

  it("passes input and the terminal size to the command", async () => {
    const { sessions } = await startManager();
    const p = fakeProcess(
      () => {},
      (data, { out, exit }) => {
        if (!data) return;
        out(1, Buffer.from(`got ${data.toString()}`));
        if (data.toString().includes("quit")) exit(0);
      },
    );
    const { out, io } = collect();
    const big = "x".repeat(3000);
    await runSession(sessions.open({ target: "t", start: p.start }), {
      ...io,
      stdin: big,
      columns: 120,
      rows: 40,
      onReady: (session) => {
        session.resize(100, 30);
        session.write("quit");
      },
    });
    expect(Buffer.concat(p.record.stdin).toString()).toBe(`${big}quit`);
    expect(p.record.stdin.every((b) => b.length <= 1024)).toBe(true);
    expect(p.record.sizes).toEqual([
      [40, 120],
      [30, 100],
    ]);
    expect(out.stdout).toContain("quit");
  });

  it("refuses a wrong token with 1003 and keeps the session for the right one", async () => {
    const { sessions } = await startManager();
    const p = fakeProcess(({ exit }) => exit(0));
    const session = sessions.open({ target: "t", start: p.start });
    await expect(runSession({ ...session, tokenValue: `${session.tokenValue.slice(0, -4)}AAAA` }, collect().io)).rejects.toThrow(
      `1003 Channel ${session.sessionId}: the token is not valid for this data channel, or has expired.`,
    );
    expect(p.record.started).toBe(0);
    expect(await runSession(session, collect().io)).toEqual({ exitCode: null, closeMessage: "" });
    // A token opens its session once.
    await expect(runSession(session, collect().io)).rejects.toThrow(/1003 .*not valid/);
  });

  it("closes a data channel whose first message is no open request with a token", async () => {
    const { sessions } = await startManager();
    const session = sessions.open({ target: "t", start: fakeProcess(({ exit }) => exit(0)).start });
    const peer = await rawPeer(session.streamUrl);
    peer.ws.send(JSON.stringify({ MessageSchemaVersion: "1.0", RequestId: "r" }));
    expect(await peer.closed).toEqual({ code: 1003, reason: `Channel ${session.sessionId}: request to open data channel does not contain token.` });
  });

  it("expires a session nobody connected to", async () => {
    const { sessions } = await startManager({ connectTimeoutMs: 50 });
    const p = fakeProcess(({ exit }) => exit(0));
    const session = sessions.open({ target: "t", start: p.start });
    expect(sessions.counts().waiting).toBe(1);
    await waitUntil("the session to expire", () => sessions.counts().waiting === 0);
    await expect(runSession(session, collect().io)).rejects.toThrow(/1003 .*has expired/);
    expect(p.record.started).toBe(0);
  });

  it("resends what the client has not acknowledged, and starts the command only after the handshake", async () => {
    const { sessions } = await startManager();
    const p = fakeProcess(({ out, exit }) => {
      out(1, Buffer.from("done"));
      exit(0);
    });
    const session = sessions.open({ target: "t", start: p.start });
    const peer = await rawPeer(session.streamUrl);
    peer.ws.send(JSON.stringify({ MessageSchemaVersion: "1.0", RequestId: "r", TokenValue: session.tokenValue, ClientId: "c", ClientVersion: "1.2.707.0" }));
    await waitUntil("the handshake request twice", () => peer.messages.filter((m) => m.sequenceNumber === 0).length >= 2);
    const [request, again] = peer.messages;
    expect(request).toMatchObject({ messageType: "output_stream_data", payloadType: PayloadType.HandshakeRequest, sequenceNumber: 0, flags: 1 });
    expect(again.messageId).toBe(request.messageId);
    expect(JSON.parse(request.payload.toString())).toEqual({
      AgentVersion: expect.any(String),
      RequestedClientActions: [{ ActionType: "SessionType", ActionParameters: { SessionType: "InteractiveCommands", Properties: null } }],
    });
    expect(p.record.started).toBe(0);
    const send = (m: AgentMessage) => peer.ws.send(encodeAgentMessage(m));
    peer.ws.send(acknowledgeFor(request));
    send(newMessage(MessageType.InputStreamData, { sequenceNumber: 0, flags: 0, payloadType: PayloadType.HandshakeResponse, payload: Buffer.from(JSON.stringify({ ClientVersion: "1", ProcessedClientActions: [{ ActionType: "SessionType", ActionStatus: 1 }], Errors: null })) }));
    await waitUntil("the output", () => peer.messages.some((m) => m.payload.toString() === "done"));
    for (const m of peer.messages.filter((m) => m.sequenceNumber > 0)) peer.ws.send(acknowledgeFor(m));
    await waitUntil("channel_closed", () => peer.messages.some((m) => m.messageType === MessageType.ChannelClosed));
    const closed = JSON.parse(peer.messages.find((m) => m.messageType === MessageType.ChannelClosed)!.payload.toString());
    expect(closed).toMatchObject({ MessageType: "channel_closed", SessionId: session.sessionId, DestinationId: "t", SchemaVersion: 1, Output: "" });
    expect(peer.messages.filter((m) => m.messageType === "acknowledge").map((m) => JSON.parse(m.payload.toString()).AcknowledgedMessageSequenceNumber)).toEqual([0]);
    expect(await peer.closed).toMatchObject({ code: 1000 });
  });

  it("ends the session when the client fails the handshake", async () => {
    const { sessions } = await startManager();
    const p = fakeProcess(({ exit }) => exit(0));
    const session = sessions.open({ target: "t", start: p.start });
    const peer = await rawPeer(session.streamUrl);
    peer.ws.send(JSON.stringify({ TokenValue: session.tokenValue }));
    await waitUntil("the handshake request", () => peer.messages.length > 0);
    const response = { ClientVersion: "1", ProcessedClientActions: [{ ActionType: "SessionType", ActionStatus: 2, Error: "Unknown session type X" }] };
    peer.ws.send(encodeAgentMessage(newMessage(MessageType.InputStreamData, { sequenceNumber: 0, flags: 0, payloadType: PayloadType.HandshakeResponse, payload: Buffer.from(JSON.stringify(response)) })));
    peer.ws.send(acknowledgeFor(peer.messages[0]));
    await peer.closed;
    const closed = JSON.parse(peer.messages.find((m) => m.messageType === MessageType.ChannelClosed)!.payload.toString());
    expect(closed.Output).toBe("SessionType failed on client with status 2 error: Unknown session type X");
    expect(p.record.started).toBe(0);
  });

  it("says why a command could not start", async () => {
    const { sessions } = await startManager();
    const session = sessions.open({ target: "t", start: () => Promise.reject(new Error("container c is not running")) });
    expect(await runSession(session, collect().io)).toEqual({ exitCode: null, closeMessage: "Unable to start command: container c is not running" });
  });

  it("lets the client abort a session, which gives the command the end of its input", async () => {
    const { sessions } = await startManager();
    const p = fakeProcess(({ out }) => out(1, Buffer.from("waiting")), (data, { exit }) => data === null && exit(0));
    const controller = new AbortController();
    const { io } = collect();
    const running = runSession(sessions.open({ target: "t", start: p.start }), { ...io, onStdout: () => controller.abort(new Error("enough")), signal: controller.signal });
    await expect(running).rejects.toThrow("enough");
    await waitUntil("end of input", () => p.record.eof);
  });

  it("gives a command whose client went away the end of its input", async () => {
    const { sessions } = await startManager();
    const p = fakeProcess(() => {}, (data, { exit }) => data === null && exit(0));
    const session = sessions.open({ target: "t", start: p.start });
    const peer = await rawPeer(session.streamUrl);
    peer.ws.send(JSON.stringify({ TokenValue: session.tokenValue }));
    await waitUntil("the handshake request", () => peer.messages.length > 0);
    peer.ws.send(acknowledgeFor(peer.messages[0]));
    peer.ws.send(encodeAgentMessage(newMessage(MessageType.InputStreamData, { sequenceNumber: 0, flags: 0, payloadType: PayloadType.HandshakeResponse, payload: Buffer.from(JSON.stringify({ ProcessedClientActions: [] })) })));
    await waitUntil("the command to start", () => p.record.started === 1);
    peer.ws.close();
    await waitUntil("end of input", () => p.record.eof);
  });
});

describe("runSession against an agent that reorders and repeats", () => {
  it("delivers output in sequence once, acknowledging everything", async () => {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => wss.once("listening", resolve));
    closers.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const acks: number[] = [];
    const open = vi.fn();
    wss.on("connection", (ws) => {
      const send = (sequenceNumber: number, payloadType: number, payload: string) =>
        ws.send(encodeAgentMessage(newMessage(MessageType.OutputStreamData, { sequenceNumber, flags: sequenceNumber === 0 ? 1 : 0, payloadType, payload: Buffer.from(payload) })));
      ws.once("message", (data) => {
        open(JSON.parse(data.toString()));
        send(0, PayloadType.HandshakeRequest, JSON.stringify({ AgentVersion: "3", RequestedClientActions: [{ ActionType: "SessionType", ActionParameters: { SessionType: "NonInteractiveCommands" } }, { ActionType: "Mystery" }] }));
        ws.on("message", (raw: RawData) => {
          const m = decodeAgentMessage(raw as Buffer);
          if (m.messageType === MessageType.Acknowledge) {
            acks.push(JSON.parse(m.payload.toString()).AcknowledgedMessageSequenceNumber);
            if (acks.length === 7) {
              const closed = { MessageType: "channel_closed", SessionId: "s", Output: "" };
              ws.send(encodeAgentMessage(newMessage(MessageType.ChannelClosed, { sequenceNumber: 0, flags: 3, payloadType: 0, payload: Buffer.from(JSON.stringify(closed)) })));
            }
            return;
          }
          ws.send(acknowledgeFor(m));
          if (m.payloadType !== PayloadType.HandshakeResponse) return;
          const response = JSON.parse(m.payload.toString());
          expect(response.ProcessedClientActions).toEqual([
            { ActionType: "SessionType", ActionStatus: 1, ActionResult: null, Error: "" },
            { ActionType: "Mystery", ActionStatus: 3, ActionResult: null, Error: "Unsupported action Mystery" },
          ]);
          send(1, PayloadType.HandshakeComplete, JSON.stringify({ HandshakeTimeToComplete: 1, CustomerMessage: "" }));
          send(3, PayloadType.StdErr, "e");
          send(2, PayloadType.Output, "a");
          send(3, PayloadType.StdErr, "e");
          send(2, PayloadType.Output, "a");
          send(4, PayloadType.ExitCode, "EXIT_CODE: 42");
        });
      });
    });
    const { out, io } = collect();
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/data-channel/s?role=publish_subscribe`;
    const result = await runSession({ streamUrl: url, tokenValue: "tok" }, io);
    expect(open).toHaveBeenCalledWith({ MessageSchemaVersion: "1.0", RequestId: expect.any(String), TokenValue: "tok", ClientId: expect.any(String), ClientVersion: expect.any(String) });
    expect(result).toEqual({ exitCode: 42, closeMessage: "" });
    expect(out).toEqual({ stdout: "a", stderr: "e" });
    expect(acks).toEqual([0, 1, 3, 2, 3, 2, 4]);
  });
});
