import { describe, expect, it } from "vitest";
import { nowIso, nowNano } from "./clock.js";

describe("clock", () => {
  it("never goes backwards, even within one millisecond", () => {
    const times = Array.from({ length: 20_000 }, nowIso);
    for (let i = 1; i < times.length; i++) expect(times[i] >= times[i - 1], `${times[i - 1]} then ${times[i]}`).toBe(true);
  });

  it("prints Docker's RFC 3339 with nanoseconds, close to the wall clock", () => {
    const t = nowIso();
    expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(Math.abs(Date.parse(t) - Date.now())).toBeLessThan(1000);
    expect(BigInt(Date.parse(t)) * 1_000_000n).toBeLessThanOrEqual(nowNano());
  });
});
