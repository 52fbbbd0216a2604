import { AwsError } from "../../errors.js";

/** Where an event sits in a stream or group: events are ordered by timestamp, then by arrival. */
export interface Position {
  timestamp: number;
  id: number;
}

/** Before every event. */
export const ORIGIN: Position = { timestamp: 0, id: 0 };

const TIMESTAMP_DIGITS = 20;
const ID_DIGITS = 36;

/** A position as the 56-digit number AWS uses for event IDs and GetLogEvents tokens. */
export function positionNumber(p: Position): string {
  return String(p.timestamp).padStart(TIMESTAMP_DIGITS, "0") + String(p.id).padStart(ID_DIGITS, "0");
}

function parsePositionNumber(digits: string): Position | undefined {
  if (!/^\d{56}$/.test(digits)) return undefined;
  return { timestamp: Number(digits.slice(0, TIMESTAMP_DIGITS)), id: Number(digits.slice(TIMESTAMP_DIGITS)) };
}

export type Direction = "f" | "b";

/** A GetLogEvents token: `f/<position>` reads on after the position, `b/<position>` reads back before it. */
export function streamToken(direction: Direction, p: Position): string {
  return `${direction}/${positionNumber(p)}`;
}

export function parseStreamToken(token: string): { direction: Direction; position: Position } {
  const m = /^([fb])\/(\d+)$/.exec(token);
  const position = m ? parsePositionNumber(m[2]) : undefined;
  if (!m || !position) throw invalidToken();
  return { direction: m[1] as Direction, position };
}

/** An opaque token for list pages: the JSON of where the next page starts. */
export function pageToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function parsePageToken<T>(token: string, valid: (v: unknown) => v is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidToken();
  }
  if (!valid(value)) throw invalidToken();
  return value;
}

function invalidToken(): AwsError {
  return new AwsError("InvalidParameterException", "The specified nextToken is invalid.");
}
