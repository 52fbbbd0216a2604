import pino from "pino";
import { describe, expect, it } from "vitest";
import type { LogSink } from "../../service.js";
import { FunctionLog, logStreamName } from "./function-log.js";
import { parseFunctionName } from "./names.js";

function recordingSink(): LogSink & { events: { group: string; stream: string; message: string }[] } {
  const groups = new Set<string>();
  const events: { group: string; stream: string; message: string }[] = [];
  return {
    events,
    groupExists: (g) => groups.has(g),
    createGroup: (g) => void groups.add(g),
    createStream: () => {},
    put: (group, stream, batch) => batch.forEach((e) => events.push({ group, stream, message: e.message })),
  };
}

describe("a function instance's log", () => {
  it("names streams as Lambda does", () => {
    expect(logStreamName(new Date("2026-03-04T05:06:07Z"))).toMatch(/^2026\/03\/04\/\[\$LATEST\][0-9a-f]{32}$/);
  });

  it("writes every line to the function's group and keeps an invocation's last 4 KB for its tail", () => {
    const logs = recordingSink();
    const log = new FunctionLog({ logs, log: pino({ level: "silent" }) }, "fn");
    log.line("init line");
    log.begin();
    for (let i = 0; i < 100; i++) log.line(`line ${i} ${"x".repeat(60)}`);
    const tail = log.finish();
    expect(Buffer.byteLength(tail)).toBe(4096);
    expect(tail.endsWith(`line 99 ${"x".repeat(60)}\n`)).toBe(true);
    expect(tail).not.toContain("init line");
    expect(logs.events).toHaveLength(101);
    expect(new Set(logs.events.map((e) => `${e.group} ${e.stream}`))).toEqual(new Set([`/aws/lambda/fn ${log.stream}`]));
  });

  it("drops lines CloudWatch Logs refuses, as Lambda without log permissions does", () => {
    const refusing: LogSink = { groupExists: () => false, createGroup: () => { throw new Error("no"); }, createStream: () => {}, put: () => { throw new Error("no"); } };
    const log = new FunctionLog({ logs: refusing, log: pino({ level: "silent" }) }, "fn");
    log.begin();
    log.line("kept for the tail");
    expect(log.finish()).toBe("kept for the tail\n");
  });
});

describe("function names", () => {
  const where = { region: "us-east-1", accountId: "123456789012" };
  it("takes a name, a full or partial ARN, and a qualifier", () => {
    expect(parseFunctionName("fn", null, where)).toEqual({ name: "fn", qualifier: undefined });
    expect(parseFunctionName("arn:aws:lambda:us-east-1:123456789012:function:fn", null, where)).toEqual({ name: "fn", qualifier: undefined });
    expect(parseFunctionName("123456789012:function:fn:$LATEST", null, where)).toEqual({ name: "fn", qualifier: undefined });
    expect(parseFunctionName("fn", "prod", where)).toEqual({ name: "fn", qualifier: "prod" });
  });

  it("refuses malformed names and another account's functions", () => {
    expect(() => parseFunctionName("bad name", null, where)).toThrow(/failed to satisfy constraint/);
    expect(() => parseFunctionName("arn:aws:lambda:us-east-1:999999999999:function:fn", null, where)).toThrow("Function not found: arn:aws:lambda:us-east-1:999999999999:function:fn");
    expect(() => parseFunctionName("fn:a", "b", where)).toThrow(/does not match the specified qualifier/);
  });
});
