import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { TestRegistry } from "../../engine/registry/testing.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";

const creds = { username: "u", password: "p" };
let d: TestDaemon;
let reg: TestRegistry;
let base: string;

beforeAll(async () => {
  d = await startTestDaemon();
  reg = await new TestRegistry({ basic: creds }).start();
  await loadBusybox(d);
  base = `${reg.host}/bb:v1`;
  await d.request("POST", `/images/${BUSYBOX_IMAGE}/tag?repo=${reg.host}/bb&tag=v1`);
  const auth = Buffer.from(JSON.stringify({ ...creds, serveraddress: reg.host })).toString("base64url");
  const pushed = await d.request("POST", `/images/${base}/push`, undefined, { "X-Registry-Auth": auth });
  expect(pushed.body).not.toContain("errorDetail");
});
afterAll(async () => {
  await d.close();
  await reg.close();
});

async function build(dockerfile: string, query: string, headers: Record<string, string> = {}) {
  const pack = tar.pack();
  pack.entry({ name: "Dockerfile" }, dockerfile);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const r = await d.request("POST", `/build?${query}`, Buffer.concat(chunks), { "Content-Type": "application/x-tar", ...headers });
  return r.body
    .split("\r\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const registryConfig = (auth: object) => ({ "X-Registry-Config": Buffer.from(JSON.stringify(auth)).toString("base64url") });

describe("FROM images from a registry", () => {
  it("pulls a missing base with the credentials of X-Registry-Config, and refuses without them", async () => {
    await d.request("DELETE", `/images/${base}`);
    const refused = await build(`FROM ${base}\nRUN echo pulled\n`, "");
    expect(refused.at(-1)?.error).toMatch(/no basic auth credentials/);
    const built = await build(`FROM ${base}\nRUN echo pulled\n`, "", registryConfig({ [reg.host]: creds }));
    expect(built.some((m) => typeof m.status === "string" && m.status.startsWith("Pulling from bb"))).toBe(true);
    expect(built.map((m) => m.stream ?? "").join("")).toContain("pulled\n");
    expect(built.at(-1)?.error).toBeUndefined();
  });

  it("pulls a base that is present only when asked to (pull=1)", async () => {
    const local = await build(`FROM ${base}\n`, "");
    expect(local.some((m) => m.status)).toBe(false);
    const before = reg.requests.length;
    const pulled = await build(`FROM ${base}\n`, "pull=1", registryConfig({ [`https://${reg.host}`]: creds }));
    expect(pulled.some((m) => m.status)).toBe(true);
    expect(reg.requests.length).toBeGreaterThan(before);
  });
});
