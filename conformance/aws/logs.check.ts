// CloudWatch Logs through the unmodified @aws-sdk/client-cloudwatch-logs: every operation the simulator serves, its errors, and its paginators ending.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  paginateDescribeLogGroups,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { assert, assertEqual, Checks, expectError, startSimulator } from "./harness.js";

const sim = await startSimulator();
const logs = new CloudWatchLogsClient(sim.config);
const checks = new Checks("logs");
const run = `${Date.now().toString(36)}`;
const group = `/conformance/logs/${run}`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const messagesOf = (events: { message?: string }[] | undefined) => (events ?? []).map((e) => e.message);

await checks.check("CreateLogGroup with tags, and ResourceAlreadyExistsException for the same name", async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: group, tags: { suite: "conformance" } }));
  await expectError(() => logs.send(new CreateLogGroupCommand({ logGroupName: group })), "ResourceAlreadyExistsException", 400);
});

await checks.check("CreateLogGroup refuses an invalid name with InvalidParameterException", async () => {
  await expectError(() => logs.send(new CreateLogGroupCommand({ logGroupName: "has space" })), "InvalidParameterException", 400);
});

await checks.check("DescribeLogGroups by prefix shows arn, creationTime, storedBytes and logGroupClass", async () => {
  const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
  assertEqual(out.logGroups?.length, 1, "groups");
  const g = out.logGroups![0];
  assertEqual(g.logGroupName, group, "name");
  assertEqual(g.arn, `arn:aws:logs:${sim.config.region}:123456789012:log-group:${group}:*`, "arn");
  assertEqual(g.logGroupArn, `arn:aws:logs:${sim.config.region}:123456789012:log-group:${group}`, "logGroupArn");
  assertEqual(g.logGroupClass, "STANDARD", "class");
  assertEqual(g.storedBytes, 0, "storedBytes");
  assert(typeof g.creationTime === "number" && Math.abs(g.creationTime - Date.now()) < 60_000, `creationTime ${g.creationTime}`);
});

await checks.check("DescribeLogGroups by pattern, and the paginator through limit-sized pages", async () => {
  for (const n of ["a", "b", "c"]) await logs.send(new CreateLogGroupCommand({ logGroupName: `${group}/paged/${n}` }));
  const byPattern = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: `${run}/paged` }));
  assertEqual(byPattern.logGroups?.map((g) => g.logGroupName), ["a", "b", "c"].map((n) => `${group}/paged/${n}`), "pattern");
  const names: string[] = [];
  let pages = 0;
  for await (const page of paginateDescribeLogGroups({ client: logs, pageSize: 2 }, { logGroupNamePrefix: `${group}/paged/` })) {
    pages++;
    names.push(...page.logGroups!.map((g) => g.logGroupName!));
  }
  assertEqual(names, ["a", "b", "c"].map((n) => `${group}/paged/${n}`), "paged names");
  assertEqual(pages, 2, "pages");
  await expectError(() => logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/a", logGroupNamePattern: "a" })), "InvalidParameterException");
});

await checks.check("PutRetentionPolicy takes AWS's values only; DeleteRetentionPolicy removes it", async () => {
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 14 }));
  assertEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group, limit: 1 }))).logGroups![0].retentionInDays, 14, "retention");
  await expectError(() => logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 2 })), "InvalidParameterException", 400);
  await expectError(() => logs.send(new PutRetentionPolicyCommand({ logGroupName: `${group}/none`, retentionInDays: 1 })), "ResourceNotFoundException");
  await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: group }));
  assertEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group, limit: 1 }))).logGroups![0].retentionInDays, undefined, "retention removed");
});

await checks.check("TagResource, UntagResource and ListTagsForResource by ARN; TagLogGroup, UntagLogGroup and ListTagsLogGroup by name", async () => {
  const resourceArn = `arn:aws:logs:${sim.config.region}:123456789012:log-group:${group}`;
  await logs.send(new TagResourceCommand({ resourceArn, tags: { team: "sim" } }));
  assertEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn }))).tags, { suite: "conformance", team: "sim" }, "tags");
  await logs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["suite"] }));
  await logs.send(new TagLogGroupCommand({ logGroupName: group, tags: { old: "api" } }));
  await logs.send(new UntagLogGroupCommand({ logGroupName: group, tags: ["team"] }));
  assertEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: group }))).tags, { old: "api" }, "tags by name");
  await expectError(() => logs.send(new ListTagsForResourceCommand({ resourceArn: `${resourceArn}/none` })), "ResourceNotFoundException");
  const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, "v"]));
  await expectError(() => logs.send(new TagResourceCommand({ resourceArn, tags: fifty })), "TooManyTagsException", 400);
});

await checks.check("CreateLogStream, ResourceAlreadyExistsException, and ResourceNotFoundException in a missing group", async () => {
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "web/1" }));
  await expectError(() => logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "web/1" })), "ResourceAlreadyExistsException");
  await expectError(() => logs.send(new CreateLogStreamCommand({ logGroupName: `${group}/none`, logStreamName: "s" })), "ResourceNotFoundException");
  await expectError(() => logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "a:b" })), "InvalidParameterException");
});

await checks.check("an unknown access key is UnrecognizedClientException, a wrong secret InvalidSignatureException", async () => {
  const stranger = new CloudWatchLogsClient({ ...sim.config, credentials: { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" } });
  await expectError(() => stranger.send(new DescribeLogGroupsCommand({})), "UnrecognizedClientException", 400);
  stranger.destroy();
  const wrong = new CloudWatchLogsClient({ ...sim.config, credentials: { ...sim.config.credentials, secretAccessKey: "wrong-secret" } });
  await expectError(() => wrong.send(new DescribeLogGroupsCommand({})), "InvalidSignatureException", 400);
  wrong.destroy();
});

const t0 = Date.now() - 10 * 60_000;

await checks.check("PutLogEvents ignores sequence tokens and returns nextSequenceToken", async () => {
  const first = await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "web/1", logEvents: [0, 1, 2].map((i) => ({ timestamp: t0 + i, message: `GET /item/${i} 200` })) }));
  assert(first.nextSequenceToken, "a nextSequenceToken");
  assertEqual(first.rejectedLogEventsInfo, undefined, "nothing rejected");
  const second = await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "web/1", sequenceToken: "stale", logEvents: [{ timestamp: t0 + 3, message: "GET /item/3 500 ERROR" }] }));
  assert(second.nextSequenceToken && second.nextSequenceToken !== first.nextSequenceToken, "a new sequence token");
});

await checks.check("PutLogEvents out of chronological order fails with InvalidParameterException", async () => {
  const e = await expectError(
    () => logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "web/1", logEvents: [{ timestamp: t0 + 9, message: "b" }, { timestamp: t0 + 8, message: "a" }] })),
    "InvalidParameterException",
    400,
  );
  assertEqual(e.message, "Log events in a single PutLogEvents request must be in chronological order.", "message");
});

await checks.check("PutLogEvents over 1,048,576 bytes (26 per event counted) or 10,000 events fails", async () => {
  const big = "x".repeat(600_000);
  await expectError(() => logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "web/1", logEvents: [big, big].map((message) => ({ timestamp: t0 + 10, message })) })), "InvalidParameterException");
  const many = Array.from({ length: 10_001 }, () => ({ timestamp: t0 + 10, message: "m" }));
  await expectError(() => logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "web/1", logEvents: many })), "InvalidParameterException");
});

await checks.check("PutLogEvents reports too old and too new events in rejectedLogEventsInfo and does not store them", async () => {
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "edges" }));
  const now = Date.now();
  const out = await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: "edges",
      logEvents: [
        { timestamp: now - 15 * DAY, message: "too old" },
        { timestamp: now - 1000, message: "kept" },
        { timestamp: now + 3 * HOUR, message: "too new" },
      ],
    }),
  );
  assertEqual(out.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 2, tooOldLogEventEndIndex: 1 }, "rejected");
  const read = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "edges", startFromHead: true }));
  assertEqual(messagesOf(read.events), ["kept"], "stored");
});

await checks.check("PutLogEvents reports events before the retention period as expired", async () => {
  const short = `${group}/short`;
  await logs.send(new CreateLogGroupCommand({ logGroupName: short }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: short, logStreamName: "s" }));
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: short, retentionInDays: 1 }));
  const out = await logs.send(new PutLogEventsCommand({ logGroupName: short, logStreamName: "s", logEvents: [{ timestamp: Date.now() - 2 * DAY, message: "expired" }] }));
  assertEqual(out.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 }, "rejected");
});

await checks.check("PutLogEvents to a missing stream is ResourceNotFoundException", async () => {
  const e = await expectError(() => logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "none", logEvents: [{ timestamp: Date.now(), message: "m" }] })), "ResourceNotFoundException", 400);
  assertEqual(e.message, "The specified log stream does not exist.", "message");
});

await checks.check("GetLogEvents: newest page by default, f/ and b/ tokens of 56 digits, startTime/endTime", async () => {
  const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "web/1", limit: 2 }));
  assertEqual(messagesOf(out.events), ["GET /item/2 200", "GET /item/3 500 ERROR"], "newest");
  assert(/^f\/\d{56}$/.test(out.nextForwardToken ?? ""), `forward token ${out.nextForwardToken}`);
  assert(/^b\/\d{56}$/.test(out.nextBackwardToken ?? ""), `backward token ${out.nextBackwardToken}`);
  const back = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "web/1", nextToken: out.nextBackwardToken }));
  assertEqual(messagesOf(back.events), ["GET /item/0 200", "GET /item/1 200"], "older");
  assert(typeof back.events![0].ingestionTime === "number", "ingestionTime");
  const range = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "web/1", startTime: t0 + 1, endTime: t0 + 3, startFromHead: true }));
  assertEqual(messagesOf(range.events), ["GET /item/1 200", "GET /item/2 200"], "range");
  const logGroupIdentifier = `arn:aws:logs:${sim.config.region}:123456789012:log-group:${group}`;
  const byArn = await logs.send(new GetLogEventsCommand({ logGroupIdentifier, logStreamName: "web/1", limit: 1, startFromHead: true }));
  assertEqual(messagesOf(byArn.events), ["GET /item/0 200"], "by logGroupIdentifier");
});

await checks.check("GetLogEvents at the end returns the token passed in, in either direction", async () => {
  const head = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "web/1", startFromHead: true }));
  const end = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "web/1", nextToken: head.nextForwardToken }));
  assertEqual(end.events, [], "no more events");
  assertEqual(end.nextForwardToken, head.nextForwardToken, "forward token repeats");
  const start = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "web/1", nextToken: head.nextBackwardToken }));
  assertEqual(start.nextBackwardToken, head.nextBackwardToken, "backward token repeats");
});

await checks.check("paginateGetLogEvents with stopOnSameToken ends, from the head and from the tail", async () => {
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "paged" }));
  const start = Date.now() - 60_000;
  const logEvents = Array.from({ length: 45 }, (_, i) => ({ timestamp: start + i, message: `line ${i}` }));
  await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "paged", logEvents }));
  const fromHead: string[] = [];
  for await (const page of paginateGetLogEvents({ client: logs, pageSize: 10, stopOnSameToken: true }, { logGroupName: group, logStreamName: "paged", startFromHead: true })) {
    fromHead.push(...(messagesOf(page.events) as string[]));
  }
  assertEqual(fromHead, logEvents.map((e) => e.message), "from the head");
  const fromTail: string[] = [];
  for await (const page of paginateGetLogEvents({ client: logs, stopOnSameToken: true }, { logGroupName: group, logStreamName: "paged" })) fromTail.push(...(messagesOf(page.events) as string[]));
  assertEqual(fromTail, logEvents.map((e) => e.message), "from the tail");
});

await checks.check("GetLogEvents in a missing group or stream is ResourceNotFoundException", async () => {
  const e = await expectError(() => logs.send(new GetLogEventsCommand({ logGroupName: `${group}/none`, logStreamName: "s" })), "ResourceNotFoundException");
  assertEqual(e.message, "The specified log group does not exist.", "message");
  await expectError(() => logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "none" })), "ResourceNotFoundException");
  await expectError(() => logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "web/1", nextToken: "not-a-token" })), "InvalidParameterException");
});

await checks.check("FilterLogEvents interleaves streams with eventId, logStreamName and ingestionTime", async () => {
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "web/2" }));
  await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "web/2", logEvents: [{ timestamp: t0 + 1, message: "POST /cart 201" }] }));
  const out = await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: "web/" }));
  assertEqual(messagesOf(out.events), ["GET /item/0 200", "GET /item/1 200", "POST /cart 201", "GET /item/2 200", "GET /item/3 500 ERROR"], "interleaved");
  assertEqual(out.events![2].logStreamName, "web/2", "stream name");
  assert(/^\d{56}$/.test(out.events![2].eventId ?? ""), `eventId ${out.events![2].eventId}`);
  assert(typeof out.events![2].ingestionTime === "number", "ingestionTime");
  assertEqual(out.searchedLogStreams, [], "searchedLogStreams (no longer reported by AWS)");
});

await checks.check("FilterLogEvents patterns: terms, quoted phrases, -term, ?term; logStreamNames, startTime, endTime", async () => {
  const match = async (filterPattern: string, extra: { logStreamNames?: string[]; startTime?: number; endTime?: number } = {}) =>
    messagesOf((await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: extra.logStreamNames ? undefined : "web/", filterPattern, ...extra }))).events);
  assertEqual(await match("GET 200"), ["GET /item/0 200", "GET /item/1 200", "GET /item/2 200"], "terms");
  assertEqual(await match('"/item/3 500"'), ["GET /item/3 500 ERROR"], "phrase");
  assertEqual(await match("GET -ERROR -/item/0"), ["GET /item/1 200", "GET /item/2 200"], "exclusion");
  assertEqual(await match("?POST ?ERROR"), ["POST /cart 201", "GET /item/3 500 ERROR"], "alternatives");
  assertEqual(await match("", { logStreamNames: ["web/2"] }), ["POST /cart 201"], "logStreamNames");
  assertEqual(await match("", { startTime: t0 + 2, endTime: t0 + 3 }), ["GET /item/2 200", "GET /item/3 500 ERROR"], "time range (endTime inclusive)");
  await expectError(() => match('{ $.level = "error" }'), "InvalidParameterException");
  await expectError(() => logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNames: ["a"], logStreamNamePrefix: "a" })), "InvalidParameterException");
});

await checks.check("paginateFilterLogEvents pages by nextToken and ends", async () => {
  const seen: string[] = [];
  let pages = 0;
  for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 10 }, { logGroupName: group, logStreamNames: ["paged"] })) {
    pages++;
    seen.push(...(messagesOf(page.events) as string[]));
  }
  assertEqual(seen.length, 45, "events");
  assertEqual(pages, 5, "pages");
});

await checks.check("DescribeLogStreams: name order, prefix, LastEventTime descending, paginator, and the prefix/LastEventTime conflict", async () => {
  const all = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
  assertEqual(all.logStreams?.map((s) => s.logStreamName), ["edges", "paged", "web/1", "web/2"], "by name");
  const web1 = all.logStreams!.find((s) => s.logStreamName === "web/1")!;
  assertEqual([web1.firstEventTimestamp, web1.lastEventTimestamp], [t0, t0 + 3], "event timestamps");
  assert(typeof web1.lastIngestionTime === "number" && web1.uploadSequenceToken, "ingestion time and sequence token");
  assertEqual(web1.arn, `arn:aws:logs:${sim.config.region}:123456789012:log-group:${group}:log-stream:web/1`, "arn");
  const prefixed = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: "web/", descending: true }));
  assertEqual(prefixed.logStreams?.map((s) => s.logStreamName), ["web/2", "web/1"], "prefix, descending");
  const latest = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", descending: true, limit: 1 }));
  assertEqual(latest.logStreams?.map((s) => s.logStreamName), ["edges"], "latest first");
  const paged: string[] = [];
  for await (const page of paginateDescribeLogStreams({ client: logs, pageSize: 3 }, { logGroupName: group })) paged.push(...page.logStreams!.map((s) => s.logStreamName!));
  assertEqual(paged, ["edges", "paged", "web/1", "web/2"], "paginator");
  await expectError(() => logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", logStreamNamePrefix: "web" })), "InvalidParameterException");
  await expectError(() => logs.send(new DescribeLogStreamsCommand({ logGroupName: `${group}/none` })), "ResourceNotFoundException");
});

await checks.check("DeleteLogStream, and ResourceNotFoundException for it again", async () => {
  await logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: "edges" }));
  await expectError(() => logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: "edges" })), "ResourceNotFoundException");
});

await checks.check("DeleteLogGroup, and ResourceNotFoundException with AWS's message for it again", async () => {
  for (const n of ["a", "b", "c"]) await logs.send(new DeleteLogGroupCommand({ logGroupName: `${group}/paged/${n}` }));
  await logs.send(new DeleteLogGroupCommand({ logGroupName: `${group}/short` }));
  await logs.send(new DeleteLogGroupCommand({ logGroupName: group }));
  const e = await expectError(() => logs.send(new DeleteLogGroupCommand({ logGroupName: group })), "ResourceNotFoundException", 400);
  assertEqual(e.message, "The specified log group does not exist.", "message");
  assertEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups, [], "gone");
});

logs.destroy();
await sim.stop();
checks.finish();
