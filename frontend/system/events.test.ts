import http from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
let loadedAt: number;
beforeAll(async () => {
  d = await startTestDaemon();
  const file = join(d.dataDir, "busybox.tar");
  await buildBusyboxImage(file);
  loadedAt = Date.now() / 1000 - 1;
  expect((await d.request("POST", "/images/load", readFileSync(file), { "Content-Type": "application/x-tar" })).status).toBe(200);
});
afterAll(() => d.close());

const json = { "Content-Type": "application/json" };
const lines = (body: string) => body.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
const events = (query: Record<string, string>) => d.request("GET", `/events?${new URLSearchParams(query)}`);
const nowSeconds = () => (Date.now() / 1000).toFixed(9);

async function runToCompletion(name: string, cmd: string[], labels: Record<string, string> = {}) {
  expect((await d.request("POST", `/containers/create?name=${name}`, JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: cmd, Labels: labels }), json)).status).toBe(201);
  const waited = d.request("POST", `/containers/${name}/wait?condition=next-exit`);
  expect((await d.request("POST", `/containers/${name}/start`)).status).toBe(204);
  await waited;
  expect((await d.request("DELETE", `/containers/${name}`)).status).toBe(204);
}

describe("GET /events", () => {
  it("replays a container's life between since and until, with Docker's message shape", async () => {
    const since = nowSeconds();
    await runToCompletion("ev1", ["sh", "-c", "exit 3"], { team: "a" });
    const r = await events({ since, until: nowSeconds() });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json");
    const all = lines(r.body);
    // The container's default bridge endpoint comes and goes with it, as in dockerd.
    expect(all.map((m) => `${m.Type} ${m.Action}`)).toEqual(["container create", "network connect", "container start", "container die", "network disconnect", "container destroy"]);
    const got = all.filter((m) => m.Type === "container");
    const die = got[2];
    expect(die).toMatchObject({ status: "die", from: BUSYBOX_IMAGE, Type: "container", scope: "local" });
    expect(die.Actor.Attributes).toEqual({ exitCode: "3", execDuration: "0", team: "a", image: BUSYBOX_IMAGE, name: "ev1" });
    expect(die.id).toBe(die.Actor.ID);
    // timeNano is an exact integer in the JSON text.
    expect(r.body).toMatch(/"timeNano":\d{19}\}/);
  });

  it("reports the image load and filters by type, event, container, label and image", async () => {
    const load = lines((await events({ since: String(loadedAt), until: nowSeconds(), filters: JSON.stringify({ type: ["image"] }) })).body);
    expect(load.map((m) => m.Action)).toEqual(["load"]);
    expect(load[0].Actor.ID).toMatch(/^sha256:/);

    const since = nowSeconds();
    await runToCompletion("ev2", ["true"], { team: "b" });
    await runToCompletion("ev3", ["true"], { team: "c" });
    const until = nowSeconds();
    const actions = async (filters: object) => lines((await events({ since, until, filters: JSON.stringify(filters) })).body).map((m) => `${m.Actor.Attributes.name}:${m.Action}`);
    expect(await actions({ event: ["start"] })).toEqual(["ev2:start", "ev3:start"]);
    expect(await actions({ container: { ev3: true }, event: { die: true } })).toEqual(["ev3:die"]);
    expect(await actions({ label: ["team=b"], event: ["create"] })).toEqual(["ev2:create"]);
    expect(await actions({ image: [BUSYBOX_IMAGE.replace(/:[^:/]*$/, "")], event: ["destroy"] })).toEqual(["ev2:destroy", "ev3:destroy"]);
    expect(await actions({ type: ["image"] })).toEqual([]);
  });

  it("answers bad parameters as dockerd does", async () => {
    expect(await events({ filters: "{" }).then((r) => [r.status, r.json()])).toEqual([400, { message: "invalid filter" }]);
    expect(await events({ since: "10m" }).then((r) => [r.status, r.json()])).toEqual([500, { message: 'strconv.ParseInt: parsing "10m": invalid syntax' }]);
    expect(await events({ since: "20", until: "10" }).then((r) => [r.status, r.json()])).toEqual([400, { message: "`since` time (20) cannot be after `until` time (10)" }]);
  });

  it("streams live events as they happen and lets go when the client leaves", async () => {
    const stream = openStream("/events?filters=" + encodeURIComponent(JSON.stringify({ container: ["live1"] })));
    const res = await stream.response;
    expect(res.headers["content-type"]).toBe("application/json");
    expect(d.engine.events.listeners).toBe(1);
    const first = stream.nextLine();
    expect((await d.request("POST", "/containers/create?name=live1", JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: ["true"] }), json)).status).toBe(201);
    expect(JSON.parse(await first)).toMatchObject({ Action: "create", Actor: { Attributes: { name: "live1" } } });
    stream.close();
    await until(() => d.engine.events.listeners === 0);
  });

  it("ends the stream at an `until` in the future", async () => {
    const r = await events({ since: nowSeconds(), until: (Date.now() / 1000 + 0.3).toFixed(3), filters: JSON.stringify({ container: ["nobody"] }) });
    expect([r.status, r.body]).toEqual([200, ""]);
    expect(d.engine.events.listeners).toBe(0);
  });
});

describe("GET /system/df", () => {
  it("reports images, containers with their sizes, and empty volumes and build cache", async () => {
    expect((await d.request("POST", "/containers/create?name=df1", JSON.stringify({ Image: BUSYBOX_IMAGE }), json)).status).toBe(201);
    const df = (await d.request("GET", "/system/df")).json();
    const image = (await d.request("GET", `/images/${BUSYBOX_IMAGE}/json`)).json();
    expect(df.LayersSize).toBe(image.Size);
    expect(df.Images).toEqual([expect.objectContaining({ Id: image.Id, Size: image.Size, SharedSize: 0, Containers: 2, RepoTags: [BUSYBOX_IMAGE] })]);
    const names = df.Containers.map((c: { Names: string[] }) => c.Names[0]);
    expect(names).toEqual(["/df1", "/live1"]);
    expect(df.Volumes).toEqual([]);
    expect(df.BuildCache).toEqual([]);
    expect(df.Images[0]).not.toHaveProperty("VirtualSize");
    expect((await d.request("GET", "/v1.41/system/df")).json().Images[0].VirtualSize).toBe(image.Size);
  });

  it("limits the answer to the asked types from API 1.42", async () => {
    const df = (await d.request("GET", "/system/df?type=container")).json();
    expect(df).toMatchObject({ LayersSize: 0, Images: null, Volumes: null, BuildCache: null });
    expect(df.Containers).toHaveLength(2);
    expect(await d.request("GET", "/system/df?type=nope").then((r) => [r.status, r.json()])).toEqual([400, { message: "unknown object type: nope" }]);
    expect((await d.request("GET", "/v1.41/system/df?type=nope")).status).toBe(200);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

function openStream(path: string) {
  let buffered = "";
  let waiter: (() => void) | undefined;
  const req = http.request({ socketPath: d.socket, path, headers: { Host: "localhost" } });
  const response = new Promise<http.IncomingMessage>((resolve) =>
    req.on("response", (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffered += chunk;
        waiter?.();
      });
      resolve(res);
    }),
  );
  req.on("error", () => {});
  req.end();
  return {
    response,
    async nextLine(): Promise<string> {
      while (!buffered.includes("\n")) await new Promise<void>((r) => (waiter = r));
      const i = buffered.indexOf("\n");
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      return line;
    },
    close: () => req.destroy(),
  };
}
