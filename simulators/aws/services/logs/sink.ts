import type { LogSink } from "../../service.js";
import { checkBatch, EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, messageBytes, type InputEvent } from "./ingest.js";
import { checkGroupName, checkStreamName } from "./names.js";
import type { LogStore } from "./store.js";

const MAX_MESSAGE_BYTES = MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES;
const MAX_SPAN_MS = 24 * 60 * 60 * 1000;

/** A message cut into pieces of at most `max` UTF-8 bytes, never inside a character, as log drivers split long lines. */
export function splitMessage(message: string, max = MAX_MESSAGE_BYTES): string[] {
  if (messageBytes(message) <= max) return [message];
  const pieces: string[] = [];
  let piece = "";
  let bytes = 0;
  for (const ch of message) {
    const n = Buffer.byteLength(ch, "utf8");
    if (bytes + n > max) {
      pieces.push(piece);
      piece = "";
      bytes = 0;
    }
    piece += ch;
    bytes += n;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}

/** Events in PutLogEvents batches: in order, within the count, size and 24-hour limits. */
export function batches(events: InputEvent[]): InputEvent[][] {
  const out: InputEvent[][] = [];
  let batch: InputEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    const size = messageBytes(e.message) + EVENT_OVERHEAD_BYTES;
    if (batch.length > 0 && (batch.length === MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES || e.timestamp - batch[0].timestamp > MAX_SPAN_MS)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(e);
    bytes += size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/**
 * CloudWatch Logs as the simulator's own workloads write to it, like the
 * awslogs driver or Lambda's log agent: through PutLogEvents' rules, in
 * batches that respect them. Empty lines are left out (AWS refuses empty
 * messages); events AWS would reject as too old or too new are not stored.
 */
export function createLogSink(store: LogStore): LogSink {
  return {
    groupExists: (group) => store.findGroup(group) !== undefined,
    createGroup: (group) => {
      checkGroupName(group);
      if (!store.findGroup(group)) store.createGroup({ name: group, groupClass: "STANDARD", tags: {}, created: Date.now() });
    },
    createStream: (group, stream) => {
      checkStreamName(stream);
      const g = store.group(group);
      if (!store.findStream(g, stream)) store.createStream(g, stream, Date.now());
    },
    put: (group, stream, events) => {
      const g = store.group(group);
      const s = store.stream(g, stream);
      const ordered = events
        .filter((e) => e.message !== "")
        .flatMap((e) => splitMessage(e.message).map((message) => ({ timestamp: e.timestamp, message })))
        .map((e, i) => ({ e, i }))
        .sort((a, b) => a.e.timestamp - b.e.timestamp || a.i - b.i)
        .map(({ e }) => e);
      for (const batch of batches(ordered)) {
        const { accepted } = checkBatch(batch, Date.now(), g.retentionDays);
        if (accepted.length > 0) store.append(g, s, accepted, Date.now());
      }
    },
  };
}
