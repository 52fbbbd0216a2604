import { createHash, randomUUID } from "node:crypto";

/**
 * The Session Manager data channel's binary message, as the SSM agent and
 * session-manager-plugin put it on the WebSocket (the plugin calls it
 * ClientMessage, the agent AgentMessage). All integers are big-endian:
 *
 *   offset  size  field
 *        0     4  header length (116: everything before the payload length)
 *        4    32  message type, UTF-8, padded with spaces
 *       36     4  schema version
 *       40     8  created date, epoch milliseconds
 *       48     8  sequence number
 *       56     8  flags (bit 0 SYN: first of a stream, bit 1 FIN: last)
 *       64    16  message id: the UUID's last 8 bytes, then its first 8
 *       80    32  SHA-256 of the payload
 *      112     4  payload type
 *      116     4  payload length
 *      120     …  payload
 */
export interface AgentMessage {
  messageType: string;
  schemaVersion: number;
  createdDate: number;
  sequenceNumber: number;
  flags: number;
  messageId: string;
  payloadType: number;
  payload: Buffer;
}

export const MessageType = {
  InputStreamData: "input_stream_data",
  OutputStreamData: "output_stream_data",
  Acknowledge: "acknowledge",
  ChannelClosed: "channel_closed",
  StartPublication: "start_publication",
  PausePublication: "pause_publication",
} as const;

export const PayloadType = {
  Output: 1,
  Error: 2,
  Size: 3,
  Parameter: 4,
  HandshakeRequest: 5,
  HandshakeResponse: 6,
  HandshakeComplete: 7,
  EncChallengeRequest: 8,
  EncChallengeResponse: 9,
  Flag: 10,
  StdErr: 11,
  ExitCode: 12,
} as const;

/** Flag payloads (a 4-byte unsigned integer) a client sends with PayloadType.Flag. */
export const FlagValue = { DisconnectToPort: 1, TerminateSession: 2, ConnectToPortError: 3 } as const;

export const HEADER_LENGTH = 116;
const MESSAGE_TYPE_LENGTH = 32;
const PAYLOAD_OFFSET = HEADER_LENGTH + 4;

export function encodeAgentMessage(m: AgentMessage): Buffer {
  const type = Buffer.from(m.messageType, "utf8");
  if (type.length > MESSAGE_TYPE_LENGTH) throw new Error(`message type "${m.messageType}" is longer than ${MESSAGE_TYPE_LENGTH} bytes`);
  const out = Buffer.alloc(PAYLOAD_OFFSET + m.payload.length);
  out.writeUInt32BE(HEADER_LENGTH, 0);
  out.fill(0x20, 4, 4 + MESSAGE_TYPE_LENGTH);
  type.copy(out, 4);
  out.writeUInt32BE(m.schemaVersion, 36);
  out.writeBigUInt64BE(BigInt(m.createdDate), 40);
  out.writeBigInt64BE(BigInt(m.sequenceNumber), 48);
  out.writeBigUInt64BE(BigInt(m.flags), 56);
  uuidToWire(m.messageId).copy(out, 64);
  createHash("sha256").update(m.payload).digest().copy(out, 80);
  out.writeUInt32BE(m.payloadType, 112);
  out.writeUInt32BE(m.payload.length, 116);
  m.payload.copy(out, PAYLOAD_OFFSET);
  return out;
}

/** Decodes and validates a message as both ends do; throws on a short frame, a missing field or a wrong digest. */
export function decodeAgentMessage(frame: Buffer): AgentMessage {
  if (frame.length < PAYLOAD_OFFSET) throw new Error(`agent message of ${frame.length} bytes is shorter than its ${PAYLOAD_OFFSET}-byte header`);
  const headerLength = frame.readUInt32BE(0);
  if (headerLength === 0) throw new Error("HeaderLength cannot be zero");
  if (headerLength + 4 > frame.length) throw new Error(`header length ${headerLength} runs past the ${frame.length}-byte message`);
  const messageType = frame
    .subarray(4, 4 + MESSAGE_TYPE_LENGTH)
    .toString("utf8")
    .replace(/^\0+|\0+$/g, "")
    .trim();
  const payloadLength = frame.readUInt32BE(116);
  const payload = frame.subarray(headerLength + 4);
  if (payload.length !== payloadLength) throw new Error(`payload length field says ${payloadLength} bytes but ${payload.length} follow`);
  const m: AgentMessage = {
    messageType,
    schemaVersion: frame.readUInt32BE(36),
    createdDate: Number(frame.readBigUInt64BE(40)),
    sequenceNumber: Number(frame.readBigInt64BE(48)),
    flags: Number(frame.readBigUInt64BE(56)),
    messageId: uuidFromWire(frame.subarray(64, 80)),
    payloadType: frame.readUInt32BE(112),
    payload,
  };
  // Publication notices carry no fields worth checking; both ends let them through unvalidated.
  if (messageType === MessageType.StartPublication || messageType === MessageType.PausePublication) return m;
  if (messageType === "") throw new Error("MessageType is missing");
  if (m.createdDate === 0) throw new Error("CreatedDate is missing");
  if (payloadLength !== 0 && !createHash("sha256").update(payload).digest().equals(frame.subarray(80, 112))) throw new Error("payload Hash is not valid");
  return m;
}

/** A message of this type and payload, stamped now with a fresh id. */
export function newMessage(messageType: string, fields: { sequenceNumber: number; flags: number; payloadType: number; payload: Buffer }): AgentMessage {
  return { messageType, schemaVersion: 1, createdDate: Date.now(), messageId: randomUUID(), ...fields };
}

/** What an acknowledge message says, in the JSON both ends send. */
export interface AcknowledgeContent {
  AcknowledgedMessageType: string;
  AcknowledgedMessageId: string;
  AcknowledgedMessageSequenceNumber: number;
  IsSequentialMessage: boolean;
}

/** The acknowledge message for a received stream message: sequence 0, flags SYN|FIN, no payload type. */
export function acknowledgeFor(m: AgentMessage): Buffer {
  const content: AcknowledgeContent = {
    AcknowledgedMessageType: m.messageType,
    AcknowledgedMessageId: m.messageId,
    AcknowledgedMessageSequenceNumber: m.sequenceNumber,
    IsSequentialMessage: true,
  };
  return encodeAgentMessage(newMessage(MessageType.Acknowledge, { sequenceNumber: 0, flags: 3, payloadType: 0, payload: Buffer.from(JSON.stringify(content)) }));
}

function uuidToWire(id: string): Buffer {
  const hex = id.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`message id "${id}" is not a UUID`);
  const bytes = Buffer.from(hex, "hex");
  return Buffer.concat([bytes.subarray(8, 16), bytes.subarray(0, 8)]);
}

function uuidFromWire(wire: Buffer): string {
  const hex = Buffer.concat([wire.subarray(8, 16), wire.subarray(0, 8)]).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
