import type http from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "../../server.js";
import { migrateService } from "../../state.js";
import { createLogsService } from "./index.js";

describe("CloudWatch Logs through the SDK", () => {
  let sqlite: Database.Database;
  let server: http.Server;
  let logs: CloudWatchLogsClient;

  // The simulator's own front (SigV4, JSON 1.1 dispatch and error shapes) serving this service alone.
  beforeAll(async () => {
    sqlite = new Database(":memory:");
    sqlite.pragma("foreign_keys = ON");
    const { service } = createLogsService({ sqlite, migrate: (s, f) => migrateService(sqlite, s, f), region: "us-east-1", accountId: "123456789012" });
    const credentials = new Map([["test", { accessKeyId: "test", secretAccessKey: "test", accountId: "123456789012" }]]);
    server = createServer({ services: [service], credentials, log: pino({ level: "silent" }), health: () => ({}) });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    logs = new CloudWatchLogsClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  });
  afterAll(async () => {
    logs.destroy();
    await new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
    sqlite.close();
  });

  it("raises the typed exceptions", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/sdk/errors" }));
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: "/sdk/errors" }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: "/sdk/none", logStreamName: "s" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/sdk/errors", logStreamName: "s" }));
    const now = Date.now();
    const outOfOrder = logs.send(new PutLogEventsCommand({ logGroupName: "/sdk/errors", logStreamName: "s", logEvents: [{ timestamp: now, message: "b" }, { timestamp: now - 1, message: "a" }] }));
    await expect(outOfOrder).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("ends paginateGetLogEvents when the token repeats, in both starting directions", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/sdk/pages" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/sdk/pages", logStreamName: "s" }));
    const start = Date.now() - 1000;
    const logEvents = Array.from({ length: 25 }, (_, i) => ({ timestamp: start + i, message: `line ${i}` }));
    await logs.send(new PutLogEventsCommand({ logGroupName: "/sdk/pages", logStreamName: "s", logEvents }));

    const fromHead: string[] = [];
    let pages = 0;
    for await (const page of paginateGetLogEvents({ client: logs, pageSize: 10, stopOnSameToken: true }, { logGroupName: "/sdk/pages", logStreamName: "s", startFromHead: true })) {
      fromHead.push(...page.events!.map((e) => e.message!));
      pages++;
    }
    expect(fromHead).toEqual(logEvents.map((e) => e.message));
    expect(pages).toBe(4);

    const fromTail: string[] = [];
    for await (const page of paginateGetLogEvents({ client: logs, stopOnSameToken: true }, { logGroupName: "/sdk/pages", logStreamName: "s" })) fromTail.push(...page.events!.map((e) => e.message!));
    expect(fromTail).toEqual(logEvents.map((e) => e.message));

    const filtered: string[] = [];
    for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 3 }, { logGroupName: "/sdk/pages", filterPattern: "?\"line 1\" ?\"line 2\"" })) filtered.push(...page.events!.map((e) => e.message!));
    expect(filtered).toEqual(logEvents.map((e) => e.message).filter((m) => /^line [12]/.test(m)));
  });
});
