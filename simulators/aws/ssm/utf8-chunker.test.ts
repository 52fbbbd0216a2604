import { describe, expect, it } from "vitest";
import { STREAM_PAYLOAD_SIZE, Utf8Chunker } from "./utf8-chunker.js";

describe("Utf8Chunker", () => {
  it("holds back a character cut between writes", () => {
    const c = new Utf8Chunker();
    const text = Buffer.from("hé€😀");
    expect(Buffer.concat(c.push(text.subarray(0, 2)))).toEqual(Buffer.from("h"));
    expect(Buffer.concat(c.push(text.subarray(2, 5)))).toEqual(Buffer.from("é"));
    expect(Buffer.concat(c.push(text.subarray(5, 8)))).toEqual(Buffer.from("€"));
    expect(c.push(text.subarray(8, 9))).toEqual([]);
    expect(Buffer.concat(c.push(text.subarray(9)))).toEqual(Buffer.from("😀"));
    expect(c.flush()).toEqual([]);
  });

  it("cuts payloads at 1024 bytes on character boundaries", () => {
    const c = new Utf8Chunker();
    const text = "a" + "€".repeat(1000);
    const chunks = c.push(Buffer.from(text));
    expect(chunks.every((b) => b.length <= STREAM_PAYLOAD_SIZE)).toBe(true);
    expect(chunks.map((b) => b.toString("utf8")).join("")).toBe(text);
    expect(chunks.every((b) => !b.toString("utf8").includes("\uFFFD"))).toBe(true);
  });

  it("sends what is left, even an unfinished character, at the end", () => {
    const c = new Utf8Chunker();
    expect(c.push(Buffer.from([0x61, 0xe2, 0x82]))).toEqual([Buffer.from("a")]);
    expect(c.flush()).toEqual([Buffer.from([0xe2, 0x82])]);
  });
});
