import { describe, expect, it } from "vitest";
import { encodeProgress, progressBar } from "./progress-stream.js";

describe("progress lines", () => {
  it("renders the bar as the daemon does", () => {
    expect(progressBar(531456, 1056393)).toBe(`[${"=".repeat(25)}>${" ".repeat(25)}]  531.5kB/1.056MB`);
    expect(progressBar(1056393, 1056393)).toBe(`[${"=".repeat(50)}>]  1.056MB/1.056MB`);
    expect(progressBar(0, 0)).toBe("");
  });
  it("keeps jsonmessage's field order and CRLF", () => {
    expect(encodeProgress({ status: "Pulling from bb", id: "v1" })).toBe(`{"status":"Pulling from bb","id":"v1"}\r\n`);
    expect(encodeProgress({ status: "Pull complete", detail: {}, id: "abc" })).toBe(`{"status":"Pull complete","progressDetail":{},"id":"abc"}\r\n`);
    expect(encodeProgress({ aux: { Tag: "v1" } })).toBe(`{"progressDetail":{},"aux":{"Tag":"v1"}}\r\n`);
  });
});
