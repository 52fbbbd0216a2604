import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.close());

describe("system routes", () => {
  it("answers GET /_ping with OK and the headers clients negotiate with", async () => {
    const r = await d.request("GET", "/_ping");
    expect(r.status).toBe(200);
    expect(r.body).toBe("OK");
    expect(r.headers["api-version"]).toBe("1.51");
    expect(r.headers["ostype"]).toBe("linux");
    expect(r.headers["docker-experimental"]).toBe("false");
    expect(r.headers["swarm"]).toBe("inactive");
    expect(r.headers["builder-version"]).toBe("1");
    expect(r.headers["cache-control"]).toBe("no-cache, no-store, must-revalidate");
    expect(r.headers["pragma"]).toBe("no-cache");
    expect(r.headers["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("answers HEAD /_ping with the same headers and no body", async () => {
    const r = await d.request("HEAD", "/_ping");
    expect(r.status).toBe(200);
    expect(r.body).toBe("");
    expect(r.headers["api-version"]).toBe("1.51");
    expect(r.headers["swarm"]).toBe("inactive");
  });

  it("serves every route with and without the version prefix", async () => {
    for (const p of ["/version", "/v1.24/version", "/v1.41/version", "/v1.51/version"]) {
      const r = await d.request("GET", p);
      expect(r.status, p).toBe(200);
      expect(r.json().ApiVersion).toBe("1.51");
    }
  });

  it("refuses too-new, too-old and malformed versions as Docker does", async () => {
    const cases: [string, number, string][] = [
      ["/v1.52/version", 400, "client version 1.52 is too new. Maximum supported API version is 1.51"],
      ["/v2.0/_ping", 400, "client version 2.0 is too new. Maximum supported API version is 1.51"],
      ["/v1.23/version", 400, "client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"],
      ["/v1..2/version", 400, "client version 1..2 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"],
      ["/vfoo/version", 404, "page not found"],
      ["/v1.x/version", 404, "page not found"],
    ];
    for (const [path, status, message] of cases) {
      const r = await d.request("GET", path);
      expect(r.status, path).toBe(status);
      expect(r.json(), path).toEqual({ message });
    }
  });

  it("reports honest version and info values", async () => {
    const v = (await d.request("GET", "/version")).json();
    expect(v.Platform.Name).toBe("Sockerless");
    expect(v.MinAPIVersion).toBe("1.24");
    expect(v.Components.map((c: { Name: string }) => c.Name)).toEqual(["Engine", "backend sandbox"]);
    const info = (await d.request("GET", "/info")).json();
    expect(info.ID).toBe(d.engine.id);
    expect(info.NCPU).toBeGreaterThan(0);
    expect(info.MemTotal).toBeGreaterThan(0);
    expect(info.DockerRootDir).toBe(d.dataDir);
    expect(info.OSType).toBe("linux");
    expect(info.DefaultRuntime).toBe("sandbox");
  });

  it("answers unknown routes and wrong methods with Docker's 404", async () => {
    for (const [m, p] of [["GET", "/nope"], ["DELETE", "/_ping"], ["POST", "/version"], ["GET", "/v1.41/nope/deeper"]]) {
      const r = await d.request(m, p);
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.json()).toEqual({ message: "page not found" });
    }
  });
});
