import { requestGroup, type LogsApi, type Operations } from "./api.js";
import { checkBatch, EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, messageBytes, parseEvents } from "./ingest.js";
import { invalid, limit, optionalBoolean, optionalNumber, optionalString, optionalStringList, requiredString } from "./input.js";
import { compilePattern } from "./pattern.js";
import type { StoredEvent, TimeRange } from "./store.js";
import { sequenceToken } from "./streams.js";
import { ORIGIN, pageToken, parsePageToken, parseStreamToken, positionNumber, streamToken, type Direction, type Position } from "./tokens.js";

const MAX_EVENTS = 10_000;
/** How many events FilterLogEvents reads per query, and at most per call before it answers with a token. */
const SCAN_CHUNK = 1_000;
const SCAN_BUDGET = 100_000;
/** FilterLogEvents reads newest first only from startTime on or after 2024-01-01. */
const NEWEST_FIRST_SINCE = Date.UTC(2024, 0, 1);

const position = (e: StoredEvent): Position => ({ timestamp: e.timestamp, id: e.id });

/** The longest run of events whose messages fit in a 1 MB response. */
function withinResponseSize(events: StoredEvent[]): StoredEvent[] {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    bytes += messageBytes(events[i].message) + EVENT_OVERHEAD_BYTES;
    if (bytes > MAX_BATCH_BYTES) return events.slice(0, Math.max(i, 1));
  }
  return events;
}

type FilterToken = { d: Direction; t: number; i: number };

function isFilterToken(v: unknown): v is FilterToken {
  const t = v as FilterToken;
  return typeof v === "object" && v !== null && (t.d === "f" || t.d === "b") && Number.isInteger(t.t) && Number.isInteger(t.i);
}

/** Writing and reading log events. */
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

    FilterLogEvents: (input) => {
      const group = requestGroup(api, input);
      const names = optionalStringList(input, "logStreamNames");
      const prefix = optionalString(input, "logStreamNamePrefix");
      if (names !== undefined && prefix !== undefined) throw invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
      const startTime = optionalNumber(input, "startTime");
      const endTime = optionalNumber(input, "endTime");
      // FilterLogEvents' endTime is inclusive.
      const range: TimeRange = { from: startTime, until: endTime === undefined ? undefined : endTime + 1 };
      const matches = compilePattern(optionalString(input, "filterPattern"));
      const pageSize = limit(input, MAX_EVENTS, MAX_EVENTS);
      const token = optionalString(input, "nextToken");
      const resumed = token === undefined ? undefined : parsePageToken(token, isFilterToken);
      const startFromHead = optionalBoolean(input, "startFromHead") ?? true;
      if (!resumed && !startFromHead && (startTime === undefined || startTime < NEWEST_FIRST_SINCE)) {
        throw invalid("startFromHead set to false is supported only when startTime is on or after Jan 1, 2024 00:00:00 UTC.");
      }
      const direction: Direction = resumed?.d ?? (startFromHead ? "f" : "b");

      let streams: number[] | undefined;
      if (names !== undefined) streams = names.map((n) => store.findStream(group, n)?.id).filter((id): id is number => id !== undefined);
      else if (prefix !== undefined) streams = store.listStreams(group, { prefix, byLastEvent: false, descending: false, }).map((s) => s.id);
      if (streams?.length === 0) return { events: [], searchedLogStreams: [] };

      const found: StoredEvent[] = [];
      let from: Position | undefined = resumed && { timestamp: resumed.t, id: resumed.i };
      let scanned = 0;
      // Whether the range holds nothing beyond `from`.
      let done = false;
      scan: for (;;) {
        const chunk = store.read({ group, streams, range, direction, from, limit: SCAN_CHUNK });
        for (const e of chunk) {
          from = position(e);
          scanned++;
          if (matches(e.message) && found.push(e) === pageSize) break scan;
        }
        if (chunk.length < SCAN_CHUNK) {
          done = true;
          break;
        }
        if (scanned >= SCAN_BUDGET) break;
      }
      const more = !done && from !== undefined && store.hasMore({ group, streams, range, direction, from });
      const byId = store.streamsOf(group, [...new Set(found.map((e) => e.streamId))]);
      const page = withinResponseSize(found);
      const next = page.length < found.length ? position(page[page.length - 1]) : from;
      return {
        events: page.map((e) => ({ logStreamName: byId.get(e.streamId), timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestion, eventId: positionNumber(position(e)) })),
        // AWS no longer reports which streams were searched: the list is empty.
        searchedLogStreams: [],
        nextToken: (more || page.length < found.length) && next ? pageToken({ d: direction, t: next.timestamp, i: next.id } satisfies FilterToken) : undefined,
      };
    },
  };
}
