import { describe, expect, it } from "vitest";
import { DetachWatcher, parseDetachKeys } from "./detach-keys.js";

describe("detach keys", () => {
  it("reads Docker's key notation", () => {
    expect([...parseDetachKeys(undefined)]).toEqual([16, 17]);
    expect([...parseDetachKeys("ctrl-a,x,ctrl-@,ctrl-_")]).toEqual([1, 120, 0, 31]);
    expect(() => parseDetachKeys("ctrl-1")).toThrow("Invalid detach keys (ctrl-1) provided");
    expect(() => parseDetachKeys("ab")).toThrow("Invalid detach keys (ab) provided");
  });

  it("holds a partial sequence back, releases it when broken, and detaches when complete", () => {
    const w = new DetachWatcher(Buffer.from([16, 17]));
    expect(w.feed(Buffer.from("ab\x10"))).toEqual({ data: Buffer.from("ab"), detach: false });
    expect(w.feed(Buffer.from("c"))).toEqual({ data: Buffer.from("\x10c"), detach: false });
    expect(w.feed(Buffer.from("\x10\x10"))).toEqual({ data: Buffer.from("\x10"), detach: false });
    expect(w.feed(Buffer.from("\x11rest"))).toEqual({ data: Buffer.alloc(0), detach: true });
  });
});
