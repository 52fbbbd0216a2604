import { requestGroup, type LogsApi, type Operations } from "./api.js";
import { MAX_EVENTS, position, withinResponseSize } from "./events.js";
import { constraintFailed, invalid, limit, optionalBoolean, optionalNumber, optionalString, optionalStringList } from "./input.js";
import { compilePattern, type Matcher } from "./pattern.js";
import type { Group, LogStore, StoredEvent, TimeRange } from "./store.js";
import { pageToken, parsePageToken, positionNumber, type Direction, type Position } from "./tokens.js";

/** How many events a search reads per query, and at most per call before it answers with a token to go on. */
const SCAN_CHUNK = 1_000;
const SCAN_BUDGET = 100_000;
/** AWS reads newest first only from a startTime on or after 2024-01-01. */
const NEWEST_FIRST_SINCE = Date.UTC(2024, 0, 1);

type FilterToken = { d: Direction; t: number; i: number };

function isFilterToken(v: unknown): v is FilterToken {
  const t = v as FilterToken;
  return typeof v === "object" && v !== null && (t.d === "f" || t.d === "b") && Number.isInteger(t.t) && Number.isInteger(t.i);
}

interface Search {
  group: Group;
  /** Undefined: every stream of the group. */
  streams?: number[];
  range: TimeRange;
  direction: Direction;
  matches: Matcher;
  limit: number;
}

/**
 * Reads on from `from` until `limit` events match, the range ends, or the
 * scan budget is spent; returns the matches, where it stopped, and whether
 * anything lies beyond.
 */
function scan(store: LogStore, q: Search, from: Position | undefined): { found: StoredEvent[]; last?: Position; more: boolean } {
  const found: StoredEvent[] = [];
  let last = from;
  let scanned = 0;
  for (;;) {
    const chunk = store.read({ ...q, from: last, limit: SCAN_CHUNK });
    for (const e of chunk) {
      last = position(e);
      scanned++;
      if (q.matches(e.message) && found.push(e) === q.limit) return { found, last, more: store.hasMore({ ...q, from: last }) };
    }
    if (chunk.length < SCAN_CHUNK) return { found, last, more: false };
    if (scanned >= SCAN_BUDGET) return { found, last, more: store.hasMore({ ...q, from: last! }) };
  }
}

/** Searching a log group's events across its streams, interleaved in time order. */
export function filterOperations(api: LogsApi): Operations {
  const { store } = api;

  /** The streams a search is limited to by name or prefix; undefined for all. */
  const searchedStreams = (group: Group, names: string[] | undefined, prefix: string | undefined): number[] | undefined => {
    if (names !== undefined && prefix !== undefined) throw invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
    if (names !== undefined) {
      if (names.length < 1) throw constraintFailed("logStreamNames", "[]", "Member must have length greater than or equal to 1");
      if (names.length > 100) throw constraintFailed("logStreamNames", `${names.length} names`, "Member must have length less than or equal to 100");
      return names.map((n) => store.stream(group, n).id);
    }
    if (prefix !== undefined) return store.listStreams(group, { prefix, byLastEvent: false, descending: false }).map((s) => s.id);
    return undefined;
  };

  return {
    FilterLogEvents: (input) => {
      const group = requestGroup(api, input);
      const streams = searchedStreams(group, optionalStringList(input, "logStreamNames"), optionalString(input, "logStreamNamePrefix"));
      const startTime = optionalNumber(input, "startTime");
      const endTime = optionalNumber(input, "endTime");
      const token = optionalString(input, "nextToken");
      const resumed = token === undefined ? undefined : parsePageToken(token, isFilterToken);
      const startFromHead = optionalBoolean(input, "startFromHead") ?? true;
      if (!resumed && !startFromHead && (startTime === undefined || startTime < NEWEST_FIRST_SINCE)) {
        throw invalid("startFromHead set to false is supported only when startTime is on or after Jan 1, 2024 00:00:00 UTC.");
      }
      const search: Search = {
        group,
        streams,
        // FilterLogEvents' endTime is inclusive.
        range: { from: startTime, until: endTime === undefined ? undefined : endTime + 1 },
        // A token goes on in the direction the first call chose.
        direction: resumed?.d ?? (startFromHead ? "f" : "b"),
        matches: compilePattern(optionalString(input, "filterPattern")),
        limit: limit(input, MAX_EVENTS, MAX_EVENTS),
      };
      if (streams?.length === 0) return { events: [], searchedLogStreams: [] };

      const { found, last, more } = scan(store, search, resumed && { timestamp: resumed.t, id: resumed.i });
      const page = withinResponseSize(found);
      const cut = page.length < found.length;
      const next = cut ? position(page[page.length - 1]) : last;
      const names = store.streamsOf(group, [...new Set(page.map((e) => e.streamId))]);
      return {
        events: page.map((e) => ({ logStreamName: names.get(e.streamId), timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestion, eventId: positionNumber(position(e)) })),
        // AWS no longer reports which streams were searched: the list is empty.
        searchedLogStreams: [],
        nextToken: (more || cut) && next ? pageToken({ d: search.direction, t: next.timestamp, i: next.id } satisfies FilterToken) : undefined,
      };
    },
  };
}
