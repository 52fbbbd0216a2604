import { requestGroup, type LogsApi, type Operations } from "./api.js";
import { constraintFailed, invalid, limit, optionalBoolean, optionalString, requiredString } from "./input.js";
import { checkStreamName } from "./names.js";
import type { Group, Stream } from "./store.js";
import { pageToken, parsePageToken } from "./tokens.js";

/** A stream's upload sequence token: how many uploads it took, as the 56-digit number AWS shows. */
export function sequenceToken(uploads: number): string {
  return String(uploads).padStart(56, "0");
}

type StreamKey = { key: number; name: string };

function isStreamKey(v: unknown): v is StreamKey {
  return typeof v === "object" && v !== null && typeof (v as StreamKey).key === "number" && typeof (v as StreamKey).name === "string";
}

/** Log streams: creation, listing, deletion. */
export function streamOperations(api: LogsApi): Operations {
  const { store, arns } = api;

  const describe = (g: Group, s: Stream) => ({
    logStreamName: s.name,
    creationTime: s.created,
    firstEventTimestamp: s.firstEvent ?? undefined,
    lastEventTimestamp: s.lastEvent ?? undefined,
    lastIngestionTime: s.lastIngestion ?? undefined,
    uploadSequenceToken: s.uploads > 0 ? sequenceToken(s.uploads) : undefined,
    arn: arns.stream(g.name, s.name),
    // AWS has reported zero for streams since 2019.
    storedBytes: 0,
  });

  return {
    CreateLogStream: (input) => {
      const group = store.group(requiredString(input, "logGroupName"));
      const name = requiredString(input, "logStreamName");
      checkStreamName(name);
      store.createStream(group, name, Date.now());
      return {};
    },

    DescribeLogStreams: (input) => {
      const group = requestGroup(api, input);
      const prefix = optionalString(input, "logStreamNamePrefix");
      const orderBy = optionalString(input, "orderBy") ?? "LogStreamName";
      if (orderBy !== "LogStreamName" && orderBy !== "LastEventTime") throw constraintFailed("orderBy", orderBy, "Member must satisfy enum value set: [LogStreamName, LastEventTime]");
      const byLastEvent = orderBy === "LastEventTime";
      if (byLastEvent && prefix !== undefined) throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
      const descending = optionalBoolean(input, "descending") ?? false;
      const pageSize = limit(input, 50, 50);
      const token = optionalString(input, "nextToken");
      const after = token === undefined ? undefined : parsePageToken(token, isStreamKey);
      const rows = store.listStreams(group, { prefix, byLastEvent, descending, after: after && [after.key, after.name], limit: pageSize + 1 });
      const page = rows.slice(0, pageSize);
      const last = page[page.length - 1];
      return {
        logStreams: page.map((s) => describe(group, s)),
        nextToken: rows.length > pageSize ? pageToken({ key: byLastEvent ? (last.lastEvent ?? -1) : 0, name: last.name } satisfies StreamKey) : undefined,
      };
    },

    DeleteLogStream: (input) => {
      const group = store.group(requiredString(input, "logGroupName"));
      store.deleteStream(group, requiredString(input, "logStreamName"));
      return {};
    },
  };
}
