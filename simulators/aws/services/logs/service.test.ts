import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsError } from "../../errors.js";
import type { AwsRequest } from "../../request.js";
import type { LogSink } from "../../service.js";
import { migrateService, openSimState } from "../../state.js";
import { createLogsService } from "./index.js";

type Output = Record<string, unknown> & {
  events?: { timestamp: number; message: string; logStreamName?: string; eventId?: string }[];
  nextForwardToken?: string;
  nextBackwardToken?: string;
  nextToken?: string;
};

let sqlite: Database.Database;
let call: (op: string, input?: Record<string, unknown>) => Promise<Output>;
let sink: LogSink;

beforeEach(() => {
  sqlite = new Database(":memory:");
  sqlite.pragma("foreign_keys = ON");
  const logs = createLogsService({ sqlite, migrate: (s, f) => migrateService(sqlite, s, f), region: "us-east-1", accountId: "123456789012" });
  sink = logs.sink;
  call = async (op, input = {}) => (await logs.service.json!.operations[op](input, {} as AwsRequest)) as Output;
});
afterEach(() => sqlite.close());

async function failure(p: Promise<unknown>): Promise<AwsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error("expected an AwsError");
}

/** A stream holding `n` events one millisecond apart, ending a minute ago. */
async function streamOf(n: number, group = "g", stream = "s"): Promise<number> {
  const start = Date.now() - 60_000 - n;
  await call("CreateLogGroup", { logGroupName: group });
  await call("CreateLogStream", { logGroupName: group, logStreamName: stream });
  for (let i = 0; i < n; i += 10_000) {
    const logEvents = Array.from({ length: Math.min(10_000, n - i) }, (_, j) => ({ timestamp: start + i + j, message: `event ${i + j}` }));
    await call("PutLogEvents", { logGroupName: group, logStreamName: stream, logEvents });
  }
  return start;
}

const messages = (o: Output) => o.events!.map((e) => e.message);

describe("GetLogEvents paging", () => {
  it("pages forward from the head and returns the token it was given at the end", async () => {
    await streamOf(5);
    let page = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", startFromHead: true, limit: 2 });
    const seen = messages(page);
    expect(page.nextForwardToken).toMatch(/^f\/\d{56}$/);
    expect(page.nextBackwardToken).toMatch(/^b\/\d{56}$/);
    for (;;) {
      const token = page.nextForwardToken!;
      page = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", nextToken: token, limit: 2 });
      seen.push(...messages(page));
      if (page.nextForwardToken === token) break;
    }
    expect(seen).toEqual(["event 0", "event 1", "event 2", "event 3", "event 4"]);
    expect(page.events).toEqual([]);
  });

  it("starts from the newest page by default and pages backward to the head", async () => {
    await streamOf(5);
    let page = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", limit: 2 });
    expect(messages(page)).toEqual(["event 3", "event 4"]);
    const pages = [messages(page)];
    for (;;) {
      const token = page.nextBackwardToken!;
      page = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", nextToken: token, limit: 2 });
      if (page.nextBackwardToken === token) break;
      pages.unshift(messages(page));
    }
    expect(pages.flat()).toEqual(["event 0", "event 1", "event 2", "event 3", "event 4"]);
  });

  it("sees events put after a forward token was handed out", async () => {
    await streamOf(2);
    const head = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", startFromHead: true });
    const end = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", nextToken: head.nextForwardToken });
    expect(end.nextForwardToken).toBe(head.nextForwardToken);
    await call("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "later" }] });
    expect(messages(await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", nextToken: head.nextForwardToken }))).toEqual(["later"]);
  });

  it("keeps to startTime (inclusive) and endTime (exclusive)", async () => {
    const start = await streamOf(10);
    const page = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", startTime: start + 3, endTime: start + 6, startFromHead: true });
    expect(messages(page)).toEqual(["event 3", "event 4", "event 5"]);
  });

  it("answers an empty stream with tokens that repeat", async () => {
    await streamOf(0);
    const page = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s" });
    expect(page.events).toEqual([]);
    const again = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", nextToken: page.nextForwardToken });
    expect(again.nextForwardToken).toBe(page.nextForwardToken);
  });

  it("pages a stream of 100,000 events quickly", async () => {
    await streamOf(100_000);
    const started = Date.now();
    let page = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", startFromHead: true, limit: 100 });
    let count = page.events!.length;
    for (let i = 0; i < 50; i++) {
      page = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", nextToken: page.nextForwardToken, limit: 100 });
      count += page.events!.length;
    }
    const newest = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", limit: 1 });
    expect(count).toBe(5100);
    expect(messages(newest)).toEqual(["event 99999"]);
    expect(Date.now() - started).toBeLessThan(1000);
    const all = await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", startFromHead: true });
    expect(all.events).toHaveLength(10_000);
  }, 60_000);

  it("names a missing group or stream with ResourceNotFoundException", async () => {
    expect(await failure(call("GetLogEvents", { logGroupName: "nope", logStreamName: "s" }))).toMatchObject({ code: "ResourceNotFoundException", message: "The specified log group does not exist." });
    await streamOf(0);
    expect(await failure(call("GetLogEvents", { logGroupName: "g", logStreamName: "nope" }))).toMatchObject({ code: "ResourceNotFoundException", message: "The specified log stream does not exist." });
  });
});

describe("PutLogEvents", () => {
  it("ignores sequence tokens, returns the next one, and reports rejected events without storing them", async () => {
    await streamOf(0);
    const now = Date.now();
    const first = await call("PutLogEvents", { logGroupName: "g", logStreamName: "s", sequenceToken: "bogus", logEvents: [{ timestamp: now, message: "a" }] });
    expect(first.nextSequenceToken).toMatch(/^\d{56}$/);
    const second = await call("PutLogEvents", {
      logGroupName: "g",
      logStreamName: "s",
      logEvents: [
        { timestamp: now - 15 * 86_400_000, message: "old" },
        { timestamp: now, message: "b" },
        { timestamp: now + 3 * 3_600_000, message: "new" },
      ],
    });
    expect(second.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 2 });
    expect(second.nextSequenceToken).not.toBe(first.nextSequenceToken);
    expect(messages(await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", startFromHead: true }))).toEqual(["a", "b"]);
    const streams = (await call("DescribeLogStreams", { logGroupName: "g" })).logStreams as Record<string, unknown>[];
    expect(streams[0]).toMatchObject({ logStreamName: "s", firstEventTimestamp: now, lastEventTimestamp: now, uploadSequenceToken: second.nextSequenceToken });
    expect((await call("DescribeLogGroups", {})).logGroups).toMatchObject([{ logGroupName: "g", storedBytes: 2 }]);
  });

  it("refuses members of the wrong JSON type with SerializationException", async () => {
    await streamOf(0);
    expect((await failure(call("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: "now", message: "a" }] }))).code).toBe("SerializationException");
    expect((await failure(call("GetLogEvents", { logGroupName: "g", logStreamName: "s", limit: "10" }))).code).toBe("SerializationException");
  });

  it("fails out-of-order batches", async () => {
    await streamOf(0);
    const e = await failure(call("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "a" }, { timestamp: Date.now() - 5, message: "b" }] }));
    expect(e).toMatchObject({ code: "InvalidParameterException", message: "Log events in a single PutLogEvents request must be in chronological order." });
  });

  it("deletes events past a retention period set later, with what they counted", async () => {
    await streamOf(0);
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "other" });
    const now = Date.now();
    await call("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: now - 5 * 86_400_000, message: "old" }, { timestamp: now - 4.5 * 86_400_000, message: "older" }] });
    await call("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: now - 1000, message: "new" }] });
    await call("PutLogEvents", { logGroupName: "g", logStreamName: "other", logEvents: [{ timestamp: now - 2000, message: "kept" }] });
    await call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 3 });
    expect(messages(await call("GetLogEvents", { logGroupName: "g", logStreamName: "s", startFromHead: true }))).toEqual(["new"]);
    expect((await call("DescribeLogGroups", {})).logGroups).toMatchObject([{ storedBytes: 7 }]);
    expect((await call("DescribeLogStreams", { logGroupName: "g" })).logStreams).toMatchObject([
      { logStreamName: "other", firstEventTimestamp: now - 2000 },
      { logStreamName: "s", firstEventTimestamp: now - 1000 },
    ]);
  });

  it("holds events expired by the group's retention out", async () => {
    await streamOf(0);
    await call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 1 });
    const out = await call("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: Date.now() - 2 * 86_400_000, message: "a" }] });
    expect(out.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 1 });
  });
});

describe("FilterLogEvents", () => {
  it("interleaves streams in time order, filters, and pages with nextToken", async () => {
    const t = Date.now() - 10_000;
    await call("CreateLogGroup", { logGroupName: "g" });
    for (const s of ["a", "b"]) await call("CreateLogStream", { logGroupName: "g", logStreamName: s });
    await call("PutLogEvents", { logGroupName: "g", logStreamName: "a", logEvents: [0, 2, 4].map((i) => ({ timestamp: t + i, message: `ERROR a${i}` })) });
    await call("PutLogEvents", { logGroupName: "g", logStreamName: "b", logEvents: [1, 3, 5].map((i) => ({ timestamp: t + i, message: `INFO b${i}` })) });

    const all = await call("FilterLogEvents", { logGroupName: "g" });
    expect(messages(all)).toEqual(["ERROR a0", "INFO b1", "ERROR a2", "INFO b3", "ERROR a4", "INFO b5"]);
    expect(all.events![1]).toMatchObject({ logStreamName: "b", eventId: expect.stringMatching(/^\d{56}$/) });
    expect(all.nextToken).toBeUndefined();
    expect(all.searchedLogStreams).toEqual([]);

    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await call("FilterLogEvents", { logGroupName: "g", filterPattern: "?ERROR ?b5", limit: 2, nextToken: token });
      seen.push(...messages(page));
      token = page.nextToken;
    } while (token);
    expect(seen).toEqual(["ERROR a0", "ERROR a2", "ERROR a4", "INFO b5"]);

    expect(messages(await call("FilterLogEvents", { logGroupName: "g", logStreamNames: ["b"], startTime: t + 2, endTime: t + 3 }))).toEqual(["INFO b3"]);
    expect(messages(await call("FilterLogEvents", { logGroupName: "g", logStreamNamePrefix: "a", filterPattern: "-a2" }))).toEqual(["ERROR a0", "ERROR a4"]);
    expect(messages(await call("FilterLogEvents", { logGroupName: "g", startFromHead: false, startTime: t, limit: 2 }))).toEqual(["INFO b5", "ERROR a4"]);
    expect((await failure(call("FilterLogEvents", { logGroupName: "g", logStreamNames: ["a"], logStreamNamePrefix: "a" }))).code).toBe("InvalidParameterException");
    expect(await failure(call("FilterLogEvents", { logGroupName: "g", logStreamNames: ["a", "none"] }))).toMatchObject({ code: "ResourceNotFoundException", message: "The specified log stream does not exist." });
    expect((await failure(call("FilterLogEvents", { logGroupName: "g", logStreamNames: [] }))).code).toBe("InvalidParameterException");
  });
});

describe("log groups and streams", () => {
  it("validate names and refuse duplicates", async () => {
    expect((await failure(call("CreateLogGroup", { logGroupName: "bad name" }))).message).toMatch(/Member must satisfy regular expression pattern/);
    await call("CreateLogGroup", { logGroupName: "/ecs/app" });
    expect(await failure(call("CreateLogGroup", { logGroupName: "/ecs/app" }))).toMatchObject({ code: "ResourceAlreadyExistsException" });
    await call("CreateLogStream", { logGroupName: "/ecs/app", logStreamName: "s" });
    expect(await failure(call("CreateLogStream", { logGroupName: "/ecs/app", logStreamName: "s" }))).toMatchObject({ code: "ResourceAlreadyExistsException" });
    expect((await failure(call("CreateLogStream", { logGroupName: "/ecs/app", logStreamName: "a:b" }))).code).toBe("InvalidParameterException");
    expect(await failure(call("DeleteLogGroup", { logGroupName: "/nope" }))).toMatchObject({ code: "ResourceNotFoundException", message: "The specified log group does not exist." });
  });

  it("list groups by prefix, pattern and page", async () => {
    for (const n of ["/a/one", "/a/two", "/b/one", "/b/two", "/c"]) await call("CreateLogGroup", { logGroupName: n });
    const names = (o: Output) => (o.logGroups as { logGroupName: string }[]).map((g) => g.logGroupName);
    expect(names(await call("DescribeLogGroups", { logGroupNamePrefix: "/a/" }))).toEqual(["/a/one", "/a/two"]);
    const byPattern = await call("DescribeLogGroups", { logGroupNamePattern: "one" });
    expect(byPattern.logGroups).toEqual([
      { logGroupName: "/a/one", creationTime: expect.any(Number), arn: "arn:aws:logs:us-east-1:123456789012:log-group:/a/one:*" },
      { logGroupName: "/b/one", creationTime: expect.any(Number), arn: "arn:aws:logs:us-east-1:123456789012:log-group:/b/one:*" },
    ]);
    const first = await call("DescribeLogGroups", { limit: 3 });
    expect(names(first)).toEqual(["/a/one", "/a/two", "/b/one"]);
    const second = await call("DescribeLogGroups", { limit: 3, nextToken: first.nextToken });
    expect(names(second)).toEqual(["/b/two", "/c"]);
    expect(second.nextToken).toBeUndefined();
    expect((await failure(call("DescribeLogGroups", { logGroupNamePrefix: "/a", logGroupNamePattern: "a" }))).code).toBe("InvalidParameterException");
    const byIdentifier = await call("DescribeLogGroups", { logGroupIdentifiers: ["/c", "arn:aws:logs:us-east-1:123456789012:log-group:/a/two", "/missing"] });
    expect(names(byIdentifier)).toEqual(["/a/two", "/c"]);
    await call("CreateLogGroup", { logGroupName: "/rare", logGroupClass: "INFREQUENT_ACCESS" });
    expect(names(await call("DescribeLogGroups", { logGroupClass: "ESSENTIALS" }))).toEqual(["/rare"]);
    expect((await failure(call("CreateLogGroup", { logGroupName: "/odd", logGroupClass: "COLD" }))).code).toBe("InvalidParameterException");
  });

  it("take only AWS's retention values", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    expect((await failure(call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 2 }))).message).toMatch(/Member must satisfy enum value set: \[1, 3, 5, 7, 14/);
    await call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 30 });
    expect((await call("DescribeLogGroups", {})).logGroups).toMatchObject([{ retentionInDays: 30 }]);
    await call("DeleteRetentionPolicy", { logGroupName: "g" });
    expect(((await call("DescribeLogGroups", {})).logGroups as Record<string, unknown>[])[0].retentionInDays).toBeUndefined();
  });

  it("tag groups by ARN and by name", async () => {
    await call("CreateLogGroup", { logGroupName: "g", tags: { team: "a" } });
    const resourceArn = "arn:aws:logs:us-east-1:123456789012:log-group:g";
    await call("TagResource", { resourceArn, tags: { env: "test" } });
    expect(await call("ListTagsForResource", { resourceArn })).toEqual({ tags: { team: "a", env: "test" } });
    await call("UntagResource", { resourceArn, tagKeys: ["team"] });
    await call("TagLogGroup", { logGroupName: "g", tags: { x: "1" } });
    expect(await call("ListTagsLogGroup", { logGroupName: "g" })).toEqual({ tags: { env: "test", x: "1" } });
    expect((await failure(call("ListTagsForResource", { resourceArn: resourceArn + "x" }))).code).toBe("ResourceNotFoundException");
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"]));
    expect(await failure(call("TagResource", { resourceArn, tags: many }))).toMatchObject({ code: "TooManyTagsException", extra: { resourceName: resourceArn } });
  });

  it("list streams by name or last event time, both ways, in pages", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    const t = Date.now() - 1000;
    for (const [name, offset] of [["c", 1], ["a", 3], ["b", 2]] as const) {
      await call("CreateLogStream", { logGroupName: "g", logStreamName: name });
      await call("PutLogEvents", { logGroupName: "g", logStreamName: name, logEvents: [{ timestamp: t + offset, message: name }] });
    }
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "empty" });
    const names = (o: Output) => (o.logStreams as { logStreamName: string }[]).map((s) => s.logStreamName);
    expect(names(await call("DescribeLogStreams", { logGroupName: "g" }))).toEqual(["a", "b", "c", "empty"]);
    expect(names(await call("DescribeLogStreams", { logGroupName: "g", orderBy: "LastEventTime", descending: true }))).toEqual(["a", "b", "c", "empty"]);
    expect(names(await call("DescribeLogStreams", { logGroupName: "g", orderBy: "LastEventTime" }))).toEqual(["empty", "c", "b", "a"]);
    const first = await call("DescribeLogStreams", { logGroupName: "g", orderBy: "LastEventTime", limit: 2 });
    expect(names(await call("DescribeLogStreams", { logGroupName: "g", orderBy: "LastEventTime", limit: 2, nextToken: first.nextToken }))).toEqual(["b", "a"]);
    const down = await call("DescribeLogStreams", { logGroupName: "g", descending: true, limit: 2 });
    expect(names(down)).toEqual(["empty", "c"]);
    expect(names(await call("DescribeLogStreams", { logGroupName: "g", descending: true, limit: 2, nextToken: down.nextToken }))).toEqual(["b", "a"]);
    expect(names(await call("DescribeLogStreams", { logGroupName: "g", logStreamNamePrefix: "e" }))).toEqual(["empty"]);
    expect((await failure(call("DescribeLogStreams", { logGroupName: "g", orderBy: "LastEventTime", logStreamNamePrefix: "a" }))).message).toBe(
      "Cannot order by LastEventTime with a logStreamNamePrefix.",
    );
    await call("DeleteLogStream", { logGroupName: "g", logStreamName: "a" });
    expect(await failure(call("DeleteLogStream", { logGroupName: "g", logStreamName: "a" }))).toMatchObject({ code: "ResourceNotFoundException", message: "The specified log stream does not exist." });
    expect((await call("DescribeLogGroups", {})).logGroups).toMatchObject([{ storedBytes: 2 }]);
  });
});

describe("the LogSink", () => {
  it("creates groups and streams idempotently and stores what workloads print, readable by the API", async () => {
    expect(sink.groupExists("/ecs/app")).toBe(false);
    sink.createGroup("/ecs/app");
    sink.createGroup("/ecs/app");
    expect(sink.groupExists("/ecs/app")).toBe(true);
    sink.createStream("/ecs/app", "ecs/web/1");
    sink.createStream("/ecs/app", "ecs/web/1");
    const now = Date.now();
    sink.put("/ecs/app", "ecs/web/1", [
      { timestamp: now, message: "second" },
      { timestamp: now - 1, message: "first" },
      { timestamp: now, message: "" },
      { timestamp: now - 20 * 86_400_000, message: "too old" },
    ]);
    expect(messages(await call("GetLogEvents", { logGroupName: "/ecs/app", logStreamName: "ecs/web/1", startFromHead: true }))).toEqual(["first", "second"]);
    expect(messages(await call("FilterLogEvents", { logGroupName: "/ecs/app", filterPattern: "second" }))).toEqual(["second"]);
    expect(() => sink.put("/ecs/app", "missing", [{ timestamp: now, message: "x" }])).toThrow("The specified log stream does not exist.");
    expect(() => sink.createStream("/nope", "s")).toThrow("The specified log group does not exist.");
  });
});

describe("state", () => {
  it("keeps groups, streams and events across a restart on the same database file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logs-state-"));
    const file = join(dir, "aws.db");
    const open = () => {
      const db = openSimState(file);
      const logs = createLogsService({ sqlite: db, migrate: (s, f) => migrateService(db, s, f), region: "us-east-1", accountId: "123456789012" });
      return { db, logs };
    };
    try {
      const first = open();
      first.logs.sink.createGroup("/kept");
      first.logs.sink.createStream("/kept", "s");
      first.logs.sink.put("/kept", "s", [{ timestamp: Date.now(), message: "still here" }]);
      first.db.close();
      const second = open();
      const out = (await second.logs.service.json!.operations.GetLogEvents({ logGroupName: "/kept", logStreamName: "s" }, {} as AwsRequest)) as Output;
      expect(messages(out)).toEqual(["still here"]);
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
