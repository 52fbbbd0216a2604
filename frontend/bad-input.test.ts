import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon } from "./testing.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.close());

/** A small deterministic PRNG, so a failure reproduces. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe("bad input", () => {
  it("answers 1,000 random requests with well-formed Docker responses and stays up", async () => {
    const rand = prng(20261126);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"];
    const versions = ["", "/v1.24", "/v1.41", "/v1.51", "/v1.52", "/v0.1", "/v9", "/v1..1", "/vx", "/v"];
    const segments = ["_ping", "version", "info", "containers", "images", "json", "create", "abc", "%2e%2e", "..", "networks", "volumes", "exec", "x".repeat(300), "%00", "events", "build"];
    const bodies = ["", "{", "[]", "null", "{\"Image\":1}", "\u0000\u0001", "{}".repeat(1000), JSON.stringify({ a: "b".repeat(10000) })];
    for (let i = 0; i < 1000; i++) {
      const depth = 1 + Math.floor(rand() * 3);
      let path = pick(versions) + "/" + Array.from({ length: depth }, () => pick(segments)).join("/") + (rand() < 0.3 ? "?all=1&filters=%7B" : "");
      // GET /events without an end streams for as long as the client listens, as in Docker.
      if (/\/events$/.test(path)) path += "?until=1";
      const method = pick(methods);
      const body = method === "GET" || method === "HEAD" ? undefined : pick(bodies);
      const headers: Record<string, string> = rand() < 0.5 ? { "Content-Type": pick(["application/json", "text/plain", "application/x-tar"]) } : {};
      const r = await d.request(method, path, body, headers);
      expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(600);
      if (r.status >= 400 && method !== "HEAD") {
        const parsed = r.json();
        expect(typeof parsed.message, `${method} ${path} -> ${r.body}`).toBe("string");
        expect(Object.keys(parsed)).toEqual(["message"]);
      }
    }
    const ping = await d.request("GET", "/_ping");
    expect(ping.body).toBe("OK");
  });

});
