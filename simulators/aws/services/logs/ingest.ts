import { constraintFailed, invalid, wrongType } from "./input.js";

/** PutLogEvents' limits, as AWS documents them. */
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
/** Every event counts this many bytes on top of its message. */
export const EVENT_OVERHEAD_BYTES = 26;
const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_AGE_MS = 14 * DAY_MS;
const MAX_AHEAD_MS = 2 * 60 * 60 * 1000;
const MAX_SPAN_MS = DAY_MS;

export interface InputEvent {
  timestamp: number;
  message: string;
}

export interface RejectedInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

export interface CheckedBatch {
  /** The events to store, in order. */
  accepted: InputEvent[];
  /** Absent when every event was accepted. */
  rejected?: RejectedInfo;
}

export function messageBytes(message: string): number {
  return Buffer.byteLength(message, "utf8");
}

/** The request's logEvents member, shaped as InputLogEvent[]. */
export function parseEvents(value: unknown): InputEvent[] {
  if (value === undefined || value === null) throw constraintFailed("logEvents", undefined, "Member must not be null");
  if (!Array.isArray(value)) throw wrongType("logEvents", "a list");
  if (value.length < 1) throw constraintFailed("logEvents", "[]", "Member must have length greater than or equal to 1");
  if (value.length > MAX_BATCH_EVENTS) throw constraintFailed("logEvents", `${value.length} events`, `Member must have length less than or equal to ${MAX_BATCH_EVENTS}`);
  return value.map((e: unknown, i) => {
    const member = `logEvents.${i + 1}.member`;
    const { timestamp, message } = (e ?? {}) as Record<string, unknown>;
    if (timestamp === undefined || timestamp === null) throw constraintFailed(`${member}.timestamp`, undefined, "Member must not be null");
    if (typeof timestamp !== "number" || !Number.isInteger(timestamp)) throw wrongType(`${member}.timestamp`, "an integer");
    if (message === undefined || message === null) throw constraintFailed(`${member}.message`, undefined, "Member must not be null");
    if (typeof message !== "string") throw wrongType(`${member}.message`, "a string");
    if (message.length < 1) throw constraintFailed(`${member}.message`, message, "Member must have length greater than or equal to 1");
    return { timestamp, message };
  });
}

/**
 * PutLogEvents' rules for one batch: sizes and chronological order fail the
 * whole request; events too old (14 days, or the group's retention) or too
 * new (2 hours ahead) are left out and reported by index.
 */
export function checkBatch(events: InputEvent[], now: number, retentionDays: number | null): CheckedBatch {
  let total = 0;
  for (const e of events) {
    const size = messageBytes(e.message) + EVENT_OVERHEAD_BYTES;
    if (size > MAX_BATCH_BYTES) throw invalid(`Log event too large: ${size} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
    total += size;
  }
  if (total > MAX_BATCH_BYTES) throw invalid(`Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  for (let i = 1; i < events.length; i++) {
    if (events[i].timestamp < events[i - 1].timestamp) throw invalid("Log events in a single PutLogEvents request must be in chronological order.");
  }

  // In chronological order, the too old and expired events lead and the too new ones trail.
  const tooOldEnd = countWhile(events, (e) => e.timestamp < now - MAX_AGE_MS);
  const expiredEnd = retentionDays === null ? 0 : countWhile(events, (e) => e.timestamp < now - retentionDays * DAY_MS);
  const tooNewStart = events.length - countWhile([...events].reverse(), (e) => e.timestamp > now + MAX_AHEAD_MS);
  const start = Math.max(tooOldEnd, expiredEnd);
  const accepted = events.slice(start, Math.max(start, tooNewStart));
  if (accepted.length > 1 && accepted[accepted.length - 1].timestamp - accepted[0].timestamp > MAX_SPAN_MS) {
    throw invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }

  const rejected: RejectedInfo = {};
  if (tooNewStart < events.length) rejected.tooNewLogEventStartIndex = tooNewStart;
  if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (expiredEnd > 0) rejected.expiredLogEventEndIndex = expiredEnd;
  return Object.keys(rejected).length > 0 ? { accepted, rejected } : { accepted };
}

function countWhile<T>(items: T[], test: (item: T) => boolean): number {
  let n = 0;
  while (n < items.length && test(items[n])) n++;
  return n;
}
