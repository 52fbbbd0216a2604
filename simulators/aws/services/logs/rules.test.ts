import { describe, expect, it } from "vitest";
import { AwsError } from "../../errors.js";
import { checkBatch, parseEvents } from "./ingest.js";
import { compilePattern } from "./pattern.js";
import { batches, splitMessage } from "./sink.js";
import { parseStreamToken, streamToken } from "./tokens.js";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const now = Date.UTC(2026, 0, 15);

function error(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error("expected an AwsError");
}

describe("GetLogEvents tokens", () => {
  it("are f/ or b/ and 56 digits, and read back to the same position", () => {
    const token = streamToken("f", { timestamp: now, id: 42 });
    expect(token).toMatch(/^f\/\d{56}$/);
    expect(parseStreamToken(token)).toEqual({ direction: "f", position: { timestamp: now, id: 42 } });
    expect(parseStreamToken(streamToken("b", { timestamp: 0, id: 0 })).direction).toBe("b");
  });

  it("refuse anything else with InvalidParameterException", () => {
    for (const bad of ["", "f/12", "x/" + "0".repeat(56), "f/" + "0".repeat(55) + "a"]) {
      expect(error(() => parseStreamToken(bad))).toMatchObject({ code: "InvalidParameterException", message: "The specified nextToken is invalid." });
    }
  });
});

describe("PutLogEvents batch rules", () => {
  const at = (...offsets: number[]) => offsets.map((o, i) => ({ timestamp: now + o, message: `m${i}` }));

  it("accepts a chronological batch whole", () => {
    expect(checkBatch(at(-2, -1, -1, 0), now, null)).toEqual({ accepted: at(-2, -1, -1, 0) });
  });

  it("fails a batch out of chronological order", () => {
    expect(error(() => checkBatch(at(0, -1), now, null))).toMatchObject({
      code: "InvalidParameterException",
      message: "Log events in a single PutLogEvents request must be in chronological order.",
    });
  });

  it("leaves out events older than 14 days, past the retention, or more than 2 hours ahead, and reports their indexes", () => {
    const events = at(-15 * DAY, -20 * HOUR, -HOUR, 0, 3 * HOUR);
    expect(checkBatch(events, now, null)).toEqual({ accepted: events.slice(1, 4), rejected: { tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 4 } });
    const expiring = at(-15 * DAY, -4 * DAY, -HOUR, 0, 3 * HOUR);
    expect(checkBatch(expiring, now, 3)).toEqual({ accepted: expiring.slice(2, 4), rejected: { tooOldLogEventEndIndex: 1, expiredLogEventEndIndex: 2, tooNewLogEventStartIndex: 4 } });
    expect(checkBatch(at(-20 * DAY), now, null)).toEqual({ accepted: [], rejected: { tooOldLogEventEndIndex: 1 } });
  });

  it("fails a batch whose accepted events span more than 24 hours", () => {
    expect(error(() => checkBatch(at(-2 * DAY, 0), now, null)).message).toBe("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  });

  it("counts 26 bytes per event against the 1,048,576-byte batch", () => {
    const fits = [{ timestamp: now, message: "x".repeat(1_048_576 - 26) }];
    expect(checkBatch(fits, now, null).accepted).toHaveLength(1);
    const two = [
      { timestamp: now, message: "x".repeat(524_288 - 26) },
      { timestamp: now, message: "é".repeat(1) + "x".repeat(524_288 - 26 - 1) },
    ];
    expect(error(() => checkBatch(two, now, null)).message).toBe("Upload too large: 1048577 bytes exceeds limit of 1048576");
  });

  it("takes 1 to 10,000 events, each with a timestamp and a non-empty message", () => {
    expect(error(() => parseEvents([])).message).toMatch(/at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1/);
    expect(error(() => parseEvents(at(...new Array(10_001).fill(0)))).message).toMatch(/less than or equal to 10000/);
    expect(error(() => parseEvents([{ timestamp: now, message: "" }])).message).toMatch(/logEvents.1.member.message/);
    expect(error(() => parseEvents([{ message: "m" }])).message).toMatch(/Value null at 'logEvents.1.member.timestamp'/);
    expect(parseEvents(at(0))).toEqual(at(0));
  });
});

describe("filter patterns", () => {
  const lines = ["ERROR 400 bad request", "ERROR 500 server error", "WARN disk low", "INFO all good", 'said "hi there"'];
  const matching = (pattern: string) => lines.filter(compilePattern(pattern));

  it("match everything when empty", () => expect(matching("")).toEqual(lines));
  it("need every plain term, case-sensitively", () => {
    expect(matching("ERROR 500")).toEqual(["ERROR 500 server error"]);
    expect(matching("error")).toEqual(["ERROR 500 server error"]);
  });
  it("match quoted phrases whole", () => expect(matching('"bad request"')).toEqual(["ERROR 400 bad request"]));
  it("exclude -terms", () => expect(matching("ERROR -500")).toEqual(["ERROR 400 bad request"]));
  it("take any ?term", () => expect(matching("?WARN ?INFO")).toEqual(["WARN disk low", "INFO all good"]));
  it("group the terms after each ?term as one alternative", () => {
    expect(matching("?ERROR 500 ?WARN")).toEqual(["ERROR 500 server error", "WARN disk low"]);
    expect(matching("?ERROR -500 ?INFO")).toEqual(["ERROR 400 bad request", "INFO all good"]);
  });
  it("take %regular expressions%, as far as AWS's regex syntax goes", () => {
    expect(matching("%[45]00%")).toEqual(lines.slice(0, 2));
    expect(matching("%^WARN|^INFO%")).toEqual(lines.slice(2, 4));
    expect(error(() => compilePattern("%(ERROR)%")).code).toBe("InvalidParameterException");
    expect(error(() => compilePattern("%a% %b% %c%")).message).toMatch(/at most 2/);
  });
  it("unescape quotes in phrases", () => expect(matching('"\\"hi"')).toEqual(['said "hi there"']));
  it("say JSON and space-delimited patterns are not served", () => {
    expect(error(() => compilePattern("{ $.level = \"error\" }"))).toMatchObject({ code: "InvalidParameterException", message: expect.stringMatching(/JSON filter patterns/) });
    expect(error(() => compilePattern("[ip, user]")).message).toMatch(/Space-delimited/);
  });
});

describe("the sink's batching", () => {
  it("splits long messages on character boundaries", () => {
    expect(splitMessage("aé€b", 3)).toEqual(["aé", "€", "b"]);
    expect(splitMessage("short")).toEqual(["short"]);
  });

  it("cuts batches at 10,000 events and at 24 hours", () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({ timestamp: now + i, message: "m" }));
    expect(batches(many).map((b) => b.length)).toEqual([10_000, 1]);
    expect(batches([{ timestamp: now - 2 * DAY, message: "a" }, { timestamp: now, message: "b" }]).map((b) => b.length)).toEqual([1, 1]);
  });
});
