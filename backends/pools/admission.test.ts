import { describe, expect, it } from "vitest";
import { TooManyRequestsError } from "../../engine/errors.js";
import { Admission } from "./admission.js";

const limits = (l: Partial<{ maxRunning: number; queueSize: number; maxMemory: number }>) => ({ maxRunning: 0, queueSize: 0, maxContainers: 0, maxMemory: 0, ...l });

describe("admission to a pool", () => {
  it("admits waiting starts in order as running ones release their slots", async () => {
    const a = new Admission("p", limits({ maxRunning: 1, queueSize: 2 }));
    const first = await a.acquire("a", 0);
    const order: string[] = [];
    const b = a.acquire("b", 0).then((s) => (order.push("b"), s));
    const c = a.acquire("c", 0).then((s) => (order.push("c"), s));
    expect(() => a.acquire("d", 0)).toThrow(TooManyRequestsError);
    expect([a.running, a.queued, a.rejected]).toEqual([1, 2, 1]);
    first.release();
    first.release();
    (await b).release();
    await c;
    expect(order).toEqual(["b", "c"]);
    expect([a.running, a.queued]).toEqual([1, 0]);
  });

  it("holds the running containers' memory limits to maxMemory", async () => {
    const a = new Admission("p", limits({ maxMemory: 100, queueSize: 1 }));
    const big = await a.acquire("a", 60);
    let admitted = false;
    const next = a.acquire("b", 50).then((s) => ((admitted = true), s));
    await Promise.resolve();
    expect(admitted).toBe(false);
    expect(a.memory).toBe(60);
    big.release();
    await next;
    expect(a.memory).toBe(50);
    expect(() => a.acquire("c", 101)).toThrow(/more than pool "p" allows for all its running containers \(maxMemory 100 bytes\)/);
  });

  it("drops a cancelled start and admits the next, and admits waiting starts when a limit is raised", async () => {
    const a = new Admission("p", limits({ maxRunning: 1, queueSize: 2 }));
    await a.acquire("a", 0);
    const gone = a.acquire("b", 0);
    const kept = a.acquire("c", 0);
    a.cancel("b", new Error("removed"));
    await expect(gone).rejects.toThrow("removed");
    expect(a.queued).toBe(1);
    a.setLimits(limits({ maxRunning: 2, queueSize: 2 }));
    await kept;
    expect(a.running).toBe(2);
  });
});
