import { ResourceNotFoundException, type CloudWatchLogsClient, type FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import type { ContainerSpec, ProcessSpec } from "../backend.js";
import { checkRunnable, functionDefinition, functionVariables, memorySizeOf } from "./function-definition.js";
import { functionErrorOf, tailReports } from "./invocation.js";
import { LogFollower } from "./log-follower.js";
import { parseLambdaOptions } from "./options.js";

const role = "arn:aws:iam::123456789012:role/lambda-exec";

const proc = (p: Partial<ProcessSpec> = {}): ProcessSpec => ({ argv: ["/var/runtime/bootstrap", "function.handler"], env: [], cwd: "", user: "", groups: [], hostname: "h", tty: false, stdin: false, ...p });

const spec = (s: Partial<ContainerSpec> = {}): ContainerSpec => ({ id: "c0ffee".repeat(10) + "abcd", image: "sha256:" + "a".repeat(64), labels: {}, layers: [], memory: 0, init: false, files: [], mounts: [], ...s });

describe("the lambda backend's options", () => {
  it("fills defaults and takes the region from the environment", () => {
    expect(parseLambdaOptions({ region: "eu-west-1", role }, {})).toEqual({ region: "eu-west-1", role, repository: "sockerless/images", memory: 128, timeout: 900, pollMs: 1000 });
    expect(parseLambdaOptions({ role, endpoint: "http://127.0.0.1:4566", memory: "1024", timeout: "60", pollMs: "50", repository: "mine" }, { AWS_REGION: "us-west-2" })).toEqual({
      region: "us-west-2",
      role,
      endpoint: "http://127.0.0.1:4566",
      repository: "mine",
      memory: 1024,
      timeout: 60,
      pollMs: 50,
    });
  });

  it("says what is wrong", () => {
    expect(() => parseLambdaOptions({ region: "eu-west-1", role, rol: "x" }, {})).toThrow(/unknown lambda backend option "rol"; known: region, role, endpoint/);
    expect(() => parseLambdaOptions({ role }, {})).toThrow(/needs a region/);
    expect(() => parseLambdaOptions({ region: "europe", role }, {})).toThrow(/not an AWS region name/);
    expect(() => parseLambdaOptions({ region: "eu-west-1" }, {})).toThrow(/needs role=arn:aws:iam::ACCOUNT:role\/NAME/);
    expect(() => parseLambdaOptions({ region: "eu-west-1", role, endpoint: "localhost:4566" }, {})).toThrow(/must be http\(s\):\/\/HOST\[:PORT\]/);
    expect(() => parseLambdaOptions({ region: "eu-west-1", role, timeout: "901" }, {})).toThrow(/timeout "901" must be a whole number of seconds from 1 to 900/);
    expect(() => parseLambdaOptions({ region: "eu-west-1", role, memory: "64" }, {})).toThrow(/memory "64" must be a whole number of MB from 128 to 10240/);
    expect(() => parseLambdaOptions({ region: "eu-west-1", role, pollMs: "0" }, {})).toThrow(/pollMs "0"/);
  });
});

describe("the lambda backend's functions", () => {
  const options = parseLambdaOptions({ region: "eu-west-1", role, timeout: "30" }, {});

  it("splits engine/'s argv into EntryPoint and Command, whose first word Lambda makes the handler", () => {
    const s = spec({ labels: { team: "blue", "aws:reserved": "x" } });
    const fn = functionDefinition(s, proc({ cwd: "/var/task", env: ["PATH=/bin", "GREETING=hi", "EMPTY=", "BARE"] }), "repo:tag", options);
    expect(fn).toEqual({
      FunctionName: "sockerless-c0ffeec0ffee",
      Description: `Sockerless container ${s.id}`,
      PackageType: "Image",
      Code: { ImageUri: "repo:tag" },
      Role: role,
      MemorySize: 128,
      Timeout: 30,
      ImageConfig: { EntryPoint: ["/var/runtime/bootstrap"], Command: ["function.handler"], WorkingDirectory: "/var/task" },
      Environment: { Variables: { PATH: "/bin", GREETING: "hi", EMPTY: "", BARE: "" } },
      Tags: { "sockerless-container": s.id, team: "blue" },
    });
    expect(functionDefinition(s, proc({ argv: ["/bootstrap"] }), "repo:tag", options).ImageConfig).toEqual({ EntryPoint: ["/bootstrap"], Command: [] });
  });

  it("leaves the variables Lambda sets to Lambda and refuses names Lambda cannot hold", () => {
    expect(functionVariables(["LAMBDA_TASK_ROOT=/var/task", "AWS_REGION=x", "_HANDLER=h", "OK_1=y"])).toEqual({ OK_1: "y" });
    expect(() => functionVariables(["A=1"])).toThrow(/cannot set the environment variable "A"/);
    expect(() => functionVariables(["_PRIVATE=1"])).toThrow(/"_PRIVATE"/);
  });

  it("gives the smallest MemorySize that holds the memory limit", () => {
    expect(memorySizeOf(0, 256)).toBe(256);
    expect(memorySizeOf(6 << 20, 256)).toBe(128);
    expect(memorySizeOf(300 * (1 << 20) + 1, 256)).toBe(301);
    expect(memorySizeOf(10240 * (1 << 20), 256)).toBe(10240);
    expect(() => memorySizeOf(10241 * (1 << 20), 256)).toThrow(/cannot give a function 10241 MB/);
  });

  it("refuses what a function cannot have", () => {
    expect(() => checkRunnable(proc({ tty: true }))).toThrow(/terminal/);
    expect(() => checkRunnable(proc({ user: "1000" }))).toThrow(/as user "1000"/);
    expect(() => checkRunnable(proc())).not.toThrow();
  });
});

describe("the lambda backend's invocations", () => {
  it("report Lambda's error document as State.Error", () => {
    expect(functionErrorOf('{"errorMessage":"boom","errorType":"HandlerError"}')).toBe("HandlerError: boom");
    expect(functionErrorOf('{"errorMessage":"boom"}')).toBe("boom");
    expect(functionErrorOf("not json")).toBe("not json");
  });

  it("read from the log tail whether Lambda wrote the REPORT line", () => {
    const tail = Buffer.from("START RequestId: r1 Version: $LATEST\nEND RequestId: r1\nREPORT RequestId: r1\tDuration: 1.00 ms\n").toString("base64");
    expect(tailReports(tail, "r1")).toBe(true);
    expect(tailReports(tail, "r2")).toBe(false);
    expect(tailReports(undefined, "r1")).toBe(false);
  });
});

describe("the lambda backend's log follower", () => {
  /** A log group as FilterLogEvents serves it, two events a page; undefined until Lambda creates it. */
  function group(events: FilteredLogEvent[] | undefined) {
    const calls: FilterLogEventsCommand["input"][] = [];
    const client = {
      send: async (command: FilterLogEventsCommand) => {
        calls.push(command.input);
        if (!events) throw new ResourceNotFoundException({ message: "The specified log group does not exist.", $metadata: {} });
        const from = Number(command.input.nextToken ?? 0);
        const matching = events.filter((e) => e.timestamp! >= (command.input.startTime ?? 0));
        const page = matching.slice(from, from + 2);
        return { events: page, ...(from + 2 < matching.length ? { nextToken: String(from + 2) } : {}) };
      },
    };
    return { client: client as unknown as CloudWatchLogsClient, calls };
  }
  const event = (eventId: string, timestamp: number, message: string): FilteredLogEvent => ({ eventId, timestamp, message, logStreamName: "s" });

  it("reads every page once, then goes on from the newest timestamp without repeating what it read", async () => {
    const events = [event("1", 10, "a"), event("2", 11, "b"), event("3", 12, "c")];
    const { client, calls } = group(events);
    const follower = new LogFollower(client, "/aws/lambda/f");
    const read: string[] = [];
    await follower.drain((m) => read.push(m));
    expect(read).toEqual(["a", "b", "c"]);
    events.push(event("4", 12, "d"), event("5", 13, "e"));
    await follower.drain((m) => read.push(m));
    expect(read).toEqual(["a", "b", "c", "d", "e"]);
    expect(calls.at(-1)).toMatchObject({ logGroupName: "/aws/lambda/f", startTime: 12, startFromHead: true });
  });

  it("reads nothing while the group does not exist, or when CloudWatch Logs throttles it", async () => {
    const read: string[] = [];
    await new LogFollower(group(undefined).client, "/aws/lambda/f").drain((m) => read.push(m));
    const throttled = { send: async () => Promise.reject(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })) } as unknown as CloudWatchLogsClient;
    await new LogFollower(throttled, "/aws/lambda/f").drain((m) => read.push(m));
    expect(read).toEqual([]);
    const denied = { send: async () => Promise.reject(Object.assign(new Error("no"), { name: "AccessDeniedException" })) } as unknown as CloudWatchLogsClient;
    await expect(new LogFollower(denied, "/aws/lambda/f").drain((m) => read.push(m))).rejects.toThrow("no");
  });
});
