import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { startTestDaemon, type TestDaemon } from "../../frontend/testing.js";
import { sandboxGrants } from "./options.js";

let server: http.Server;
let base: string;
let granted: TestDaemon;
let closed: TestDaemon;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => res.end(`${req.method} ${req.url} ${body}`));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  granted = await startTestDaemon({ "allow-url": `${base}/runtime/` });
  closed = await startTestDaemon();
  for (const d of [granted, closed]) {
    const file = join(d.dataDir, "busybox.tar");
    await buildBusyboxImage(file);
    await d.request("POST", "/images/load", readFileSync(file), { "Content-Type": "application/x-tar" });
  }
}, 60_000);
afterAll(async () => {
  await granted.close();
  await closed.close();
  server.close();
});

/** Runs a script in a new container; curl is the image's /usr/bin/curl, here a copy of busybox that the sandbox runs as its curl. */
async function run(d: TestDaemon, script: string): Promise<{ code: number; out: string }> {
  const json = { "Content-Type": "application/json" };
  const { Id } = (await d.request("POST", "/containers/create", JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: ["sh", "-c", `cp /bin/busybox /usr/bin/curl; ${script}`] }), json)).json();
  const wait = d.request("POST", `/containers/${Id}/wait?condition=next-exit`);
  await d.request("POST", `/containers/${Id}/start`);
  const code = (await wait).json().StatusCode;
  const logs = await d.request("GET", `/containers/${Id}/logs?stdout=1&stderr=1`);
  return { code, out: logs.body.replace(/[\x00-\x02]\x00\x00\x00[\s\S]{4}/g, "") };
}

describe("sandbox network grants", () => {
  it("lets curl reach a granted loopback endpoint, with any method", async () => {
    const r = await run(granted, `curl -s ${base}/runtime/next && echo && curl -s -X POST -d done ${base}/runtime/response`);
    expect(r).toEqual({ code: 0, out: "GET /runtime/next \nPOST /runtime/response done" });
  });

  it("refuses what was not granted", async () => {
    const r = await run(granted, `curl -s ${base}/other; echo " exit=$?"`);
    expect(r.out).toMatch(/exit=[1-9]/);
    expect(r.out).not.toMatch(/GET \/other/);
  });

  it("gives a container without grants no network at all", async () => {
    const r = await run(closed, `curl -s ${base}/runtime/next`);
    expect(r).toEqual({ code: 7, out: "curl: (7) the sandbox backend grants this container no network access\n" });
  });

  it("accepts only loopback HTTP URLs as grants", () => {
    expect(sandboxGrants({ "allow-url": "http://127.0.0.1:9001/ http://localhost:8080" })).toHaveLength(2);
    expect(() => sandboxGrants({ "allow-url": "https://127.0.0.1/" })).toThrow(/must be a loopback HTTP URL/);
    expect(() => sandboxGrants({ "allow-url": "http://example.com/" })).toThrow(/must be a loopback HTTP URL/);
    expect(() => sandboxGrants({ nope: "1" })).toThrow(/unknown sandbox backend option "nope"/);
  });
});
