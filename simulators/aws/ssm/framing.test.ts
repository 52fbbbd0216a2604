import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { acknowledgeFor, decodeAgentMessage, encodeAgentMessage, MessageType, PayloadType, type AgentMessage } from "./framing.js";

const id = "01234567-89ab-cdef-0011-223344556677";

// Frames session-manager-plugin's own SerializeClientMessage produced for these fields.
const pluginInput =
  "00000074" +
  "696e7075745f73747265616d5f64617461202020202020202020202020202020" +
  "00000001" +
  "0000018bcfe56800" +
  "0000000000000005" +
  "0000000000000001" +
  "0011223344556677" +
  "0123456789abcdef" +
  "bf89d8396b968d464f4f28a92449f66f4daba4838c775073e8dfb647fbb0a884" +
  "00000001" +
  "00000005" +
  "6c73202f0a";
const ackJson = `{"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"0123","AcknowledgedMessageSequenceNumber":2,"IsSequentialMessage":true}`;
const pluginAck =
  "00000074" +
  "61636b6e6f776c65646765202020202020202020202020202020202020202020" +
  "00000001" +
  "0000018bcfe56800" +
  "0000000000000000" +
  "0000000000000003" +
  "0011223344556677" +
  "0123456789abcdef" +
  "8a17cf317abc33d63cab43e5bb63c12203e8a460f7e67ec90c73aad7c1b64912" +
  "00000000" +
  "00000090" +
  Buffer.from(ackJson).toString("hex");

const input: AgentMessage = {
  messageType: MessageType.InputStreamData,
  schemaVersion: 1,
  createdDate: 1_700_000_000_000,
  sequenceNumber: 5,
  flags: 1,
  messageId: id,
  payloadType: PayloadType.Output,
  payload: Buffer.from("ls /\n"),
};

describe("AgentMessage framing", () => {
  it("encodes byte for byte as the plugin does", () => {
    expect(encodeAgentMessage(input).toString("hex")).toBe(pluginInput);
    const ack = { ...input, messageType: MessageType.Acknowledge, sequenceNumber: 0, flags: 3, payloadType: 0, payload: Buffer.from(ackJson) };
    expect(encodeAgentMessage(ack).toString("hex")).toBe(pluginAck);
  });

  it("decodes the plugin's frames", () => {
    expect(decodeAgentMessage(Buffer.from(pluginInput, "hex"))).toEqual(input);
    const ack = decodeAgentMessage(Buffer.from(pluginAck, "hex"));
    expect(ack).toMatchObject({ messageType: "acknowledge", sequenceNumber: 0, flags: 3, payloadType: 0, messageId: id });
    expect(JSON.parse(ack.payload.toString())).toMatchObject({ AcknowledgedMessageSequenceNumber: 2 });
  });

  it("puts each field at its offset", () => {
    const frame = encodeAgentMessage({ ...input, sequenceNumber: 258, payloadType: PayloadType.ExitCode, payload: Buffer.from("EXIT_CODE: 7") });
    expect(frame.readUInt32BE(0)).toBe(116);
    expect(frame.subarray(4, 36).toString()).toBe("input_stream_data".padEnd(32, " "));
    expect(frame.readBigInt64BE(48)).toBe(258n);
    expect(frame.subarray(80, 112)).toEqual(createHash("sha256").update("EXIT_CODE: 7").digest());
    expect(frame.readUInt32BE(112)).toBe(12);
    expect(frame.readUInt32BE(116)).toBe(12);
    expect(frame.subarray(120).toString()).toBe("EXIT_CODE: 7");
  });

  it("takes a message type padded with NULs", () => {
    const frame = encodeAgentMessage(input);
    frame.fill(0, 4 + "input_stream_data".length, 36);
    expect(decodeAgentMessage(frame).messageType).toBe("input_stream_data");
  });

  it("refuses a payload whose digest does not match", () => {
    const frame = encodeAgentMessage(input);
    frame[frame.length - 1] ^= 1;
    expect(() => decodeAgentMessage(frame)).toThrow(/payload Hash is not valid/);
  });

  it("refuses short frames, a wrong payload length, a missing type or date", () => {
    expect(() => decodeAgentMessage(Buffer.alloc(50))).toThrow(/shorter/);
    const frame = encodeAgentMessage(input);
    expect(() => decodeAgentMessage(frame.subarray(0, frame.length - 1))).toThrow(/payload length/);
    expect(() => decodeAgentMessage(encodeAgentMessage({ ...input, messageType: "" }))).toThrow(/MessageType is missing/);
    expect(() => decodeAgentMessage(encodeAgentMessage({ ...input, createdDate: 0 }))).toThrow(/CreatedDate is missing/);
  });

  it("acknowledges with the received message's type, id and sequence number", () => {
    const ack = decodeAgentMessage(acknowledgeFor({ ...input, messageType: MessageType.OutputStreamData, sequenceNumber: 9 }));
    expect(ack).toMatchObject({ messageType: "acknowledge", sequenceNumber: 0, flags: 3, payloadType: 0 });
    expect(JSON.parse(ack.payload.toString())).toEqual({
      AcknowledgedMessageType: "output_stream_data",
      AcknowledgedMessageId: id,
      AcknowledgedMessageSequenceNumber: 9,
      IsSequentialMessage: true,
    });
  });
});
