import { requestGroup, type LogsApi, type Operations } from "./api.js";
import { checkBatch, EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, messageBytes, parseEvents } from "./ingest.js";
import { limit, optionalBoolean, optionalNumber, optionalString, requiredString } from "./input.js";
import type { StoredEvent, TimeRange } from "./store.js";
import { sequenceToken } from "./streams.js";
import { ORIGIN, parseStreamToken, streamToken, type Direction, type Position } from "./tokens.js";

/** GetLogEvents and FilterLogEvents return at most this many events a call. */
export const MAX_EVENTS = 10_000;

export const position = (e: StoredEvent): Position => ({ timestamp: e.timestamp, id: e.id });

/** The longest run of events whose messages fit in a 1 MB response. */
export function withinResponseSize(events: StoredEvent[]): StoredEvent[] {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    bytes += messageBytes(events[i].message) + EVENT_OVERHEAD_BYTES;
    if (bytes > MAX_BATCH_BYTES) return events.slice(0, Math.max(i, 1));
  }
  return events;
}

/** Writing events to a stream and reading them back. */
export function eventOperations(api: LogsApi): Operations {
  const { store } = api;

  return {
    PutLogEvents: (input) => {
      const group = store.group(requiredString(input, "logGroupName"));
      const stream = store.stream(group, requiredString(input, "logStreamName"));
      // Sequence tokens are accepted and ignored, as AWS does since 2023.
      const { accepted, rejected } = checkBatch(parseEvents(input.logEvents), Date.now(), group.retentionDays);
      const uploads = store.append(group, stream, accepted, Date.now());
      return { nextSequenceToken: sequenceToken(uploads), rejectedLogEventsInfo: rejected };
    },

    GetLogEvents: (input) => {
      const group = requestGroup(api, input);
      const stream = store.stream(group, requiredString(input, "logStreamName"));
      const range: TimeRange = { from: optionalNumber(input, "startTime"), until: optionalNumber(input, "endTime") };
      const pageSize = limit(input, MAX_EVENTS, MAX_EVENTS);
      const token = optionalString(input, "nextToken");
      // A token carries its own direction; without one, the oldest page or (by default) the newest.
      const { direction, position: from } = token !== undefined ? parseStreamToken(token) : { direction: (optionalBoolean(input, "startFromHead") ? "f" : "b") as Direction, position: undefined };
      const page = withinResponseSize(store.read({ group, streams: [stream.id], range, direction, from, limit: pageSize }));
      if (direction === "b") page.reverse();
      // With nothing more in a direction, the token passed in comes back: clients stop when it repeats.
      const first = page.length > 0 ? position(page[0]) : (from ?? ORIGIN);
      const last = page.length > 0 ? position(page[page.length - 1]) : (from ?? ORIGIN);
      return {
        events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestion })),
        nextForwardToken: streamToken("f", last),
        nextBackwardToken: streamToken("b", first),
      };
    },
  };
}
