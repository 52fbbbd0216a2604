import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeAgentMessage, encodeAgentMessage, MessageType, newMessage, type AgentMessage } from "./framing.js";
import { DataStream } from "./stream.js";

function agentSide(write: (frame: Buffer) => void, delivered: AgentMessage[] = []): DataStream {
  return new DataStream({ outgoingType: MessageType.OutputStreamData, incomingType: MessageType.InputStreamData, synOnFirst: true, write, deliver: (m) => delivered.push(m) });
}

function clientSide(write: (frame: Buffer) => void, delivered: AgentMessage[]): DataStream {
  return new DataStream({ outgoingType: MessageType.InputStreamData, incomingType: MessageType.OutputStreamData, synOnFirst: false, write, deliver: (m) => delivered.push(m) });
}

function output(sequenceNumber: number, text: string): AgentMessage {
  return newMessage(MessageType.OutputStreamData, { sequenceNumber, flags: 0, payloadType: 1, payload: Buffer.from(text) });
}

describe("DataStream", () => {
  afterEach(() => vi.useRealTimers());

  it("numbers messages, marks the agent's first SYN, and forgets what is acknowledged", () => {
    const wire: Buffer[] = [];
    const agent = agentSide((f) => wire.push(f));
    const got: AgentMessage[] = [];
    const client = clientSide((f) => agent.receive(decodeAgentMessage(f)), got);
    agent.send(1, Buffer.from("a"));
    agent.send(1, Buffer.from("b"));
    const frames = wire.map(decodeAgentMessage);
    expect(frames.map((m) => [m.sequenceNumber, m.flags])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(agent.unacknowledged).toBe(2);
    for (const m of frames) client.receive(m);
    expect(got.map((m) => m.payload.toString())).toEqual(["a", "b"]);
    expect(agent.unacknowledged).toBe(0);
    agent.close();
    client.close();
  });

  it("delivers out-of-order messages in sequence and repeats once, acknowledging each", () => {
    const acks: number[] = [];
    const got: AgentMessage[] = [];
    const client = clientSide((f) => acks.push(JSON.parse(decodeAgentMessage(f).payload.toString()).AcknowledgedMessageSequenceNumber), got);
    for (const m of [output(2, "c"), output(0, "a"), output(0, "a"), output(2, "c"), output(1, "b")]) client.receive(m);
    expect(got.map((m) => m.payload.toString())).toEqual(["a", "b", "c"]);
    expect(acks).toEqual([2, 0, 0, 2, 1]);
    client.close();
  });

  it("resends the oldest unacknowledged message until it gets through", () => {
    vi.useFakeTimers();
    const got: AgentMessage[] = [];
    let lose = 2;
    let client: DataStream;
    const agent = agentSide((f) => {
      if (lose-- > 0) return;
      client.receive(decodeAgentMessage(f));
    });
    client = clientSide((f) => agent.receive(decodeAgentMessage(f)), got);
    agent.send(1, Buffer.from("lost twice"));
    expect(got).toHaveLength(0);
    vi.advanceTimersByTime(300);
    expect(got).toHaveLength(0);
    vi.advanceTimersByTime(300);
    expect(got.map((m) => m.payload.toString())).toEqual(["lost twice"]);
    expect(agent.unacknowledged).toBe(0);
    agent.close();
    client.close();
  });

  it("gives up after the allowed resends", () => {
    vi.useFakeTimers();
    const onResendTimeout = vi.fn();
    const agent = new DataStream({ outgoingType: "output_stream_data", incomingType: "input_stream_data", synOnFirst: true, write: () => {}, deliver: () => {}, maxResends: 3, onResendTimeout });
    agent.send(1, Buffer.from("x"));
    vi.advanceTimersByTime(5_000);
    expect(onResendTimeout).toHaveBeenCalled();
    agent.close();
  });

  it("tells when everything sent is acknowledged", async () => {
    const wire: Buffer[] = [];
    const agent = agentSide((f) => wire.push(f));
    agent.send(1, Buffer.from("x"));
    expect(await agent.drained(10)).toBe(false);
    const drained = agent.drained(5_000);
    const client = clientSide((f) => agent.receive(decodeAgentMessage(f)), []);
    client.receive(decodeAgentMessage(wire[0]));
    expect(await drained).toBe(true);
    expect(agent.receive(decodeAgentMessage(encodeAgentMessage(newMessage("start_publication", { sequenceNumber: 0, flags: 0, payloadType: 0, payload: Buffer.alloc(0) }))))).toBe(false);
    agent.close();
    client.close();
  });
});
