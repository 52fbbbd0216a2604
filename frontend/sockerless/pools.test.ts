import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";
import { startPoolsDaemon } from "./pools-daemon.js";

const POOL_LABEL = "com.sockerless.pool";
const json = { "Content-Type": "application/json" };

let d: TestDaemon;
beforeAll(async () => {
  d = await startPoolsDaemon({
    default: "small",
    pools: [
      { name: "small", backend: "sandbox", maxRunning: 2, queueSize: 1 },
      { name: "roomy", backend: "sandbox", instances: 2, maxContainers: 3 },
    ],
  });
  expect((await loadBusybox(d)).status).toBe(200);
});
afterAll(() => d.close());

const post = (path: string, body?: object) => d.request("POST", path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : json);
const create = async (name: string, cmd: string[], pool?: string) => {
  const res = await post(`/containers/create?name=${name}`, { Image: BUSYBOX_IMAGE, Cmd: cmd, Labels: pool ? { [POOL_LABEL]: pool } : {} });
  expect(res.status, res.body).toBe(201);
};
const pool = async (name: string) => (await d.request("GET", `/sockerless/v1/pools/${name}`)).json();
const metrics = async () => (await d.request("GET", "/metrics")).body;

/** The value of one sample in an exposition, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Polls until `done` holds: the daemon admits queued starts on its own schedule. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setImmediate(r));
  }
}

describe("routing by label", () => {
  it("puts a container in the pool its label names, else the default pool, and refuses an unknown pool", async () => {
    await create("in-roomy", ["echo", "from roomy"], "roomy");
    await create("in-default", ["echo", "from the default"]);
    expect(await pool("roomy")).toMatchObject({ containers: 1, default: false, backend: "sandbox", instances: 2 });
    expect(await pool("small")).toMatchObject({ containers: 1, default: true });
    for (const name of ["in-roomy", "in-default"]) {
      expect((await post(`/containers/${name}/start`)).status).toBe(204);
      expect((await post(`/containers/${name}/wait`)).json().StatusCode).toBe(0);
    }
    expect((await d.request("GET", "/containers/in-roomy/logs?stdout=1")).raw.subarray(8).toString()).toBe("from roomy\n");
    const unknown = await post("/containers/create", { Image: BUSYBOX_IMAGE, Labels: { [POOL_LABEL]: "nowhere" } });
    expect(unknown.status).toBe(400);
    expect(unknown.json().message).toMatch(/no pool named "nowhere"/);
    for (const name of ["in-roomy", "in-default"]) expect((await d.request("DELETE", `/containers/${name}`)).status).toBe(204);
    expect(await pool("roomy")).toMatchObject({ containers: 0 });
  });

  it("refuses a create beyond maxContainers with 429", async () => {
    for (const n of [1, 2, 3]) await create(`full-${n}`, ["true"], "roomy");
    const over = await post("/containers/create", { Image: BUSYBOX_IMAGE, Labels: { [POOL_LABEL]: "roomy" } });
    expect(over.status).toBe(429);
    expect(over.json().message).toMatch(/pool "roomy" is full: it holds 3 containers \(maxContainers 3\)/);
    expect(sample(await metrics(), 'sockerless_pool_rejections_total{pool="roomy",reason="max_containers"}')).toBe(1);
    for (const n of [1, 2, 3]) await d.request("DELETE", `/containers/full-${n}`);
  });

  it("describes the daemon as pools, naming each", async () => {
    const info = (await d.request("GET", "/info")).json();
    expect(info.Driver).toBe("sockerless-pools");
    expect(info.DriverStatus[0][1]).toMatch(/small \(sandbox\), roomy \(sandbox\); default small/);
  });
});

describe("admission", () => {
  it("queues the third start beyond maxRunning 2, refuses the fourth with 429, and runs the third when one exits", async () => {
    for (const n of [1, 2, 3, 4]) await create(`busy-${n}`, ["sleep", "1000"]);
    expect((await post("/containers/busy-1/start")).status).toBe(204);
    expect((await post("/containers/busy-2/start")).status).toBe(204);
    const third = post("/containers/busy-3/start");
    await until(() => pool("small"), (p) => p.queued === 1);
    const fourth = await post("/containers/busy-4/start");
    expect(fourth.status).toBe(429);
    expect(fourth.json().message).toBe('pool "small" is full: 2 containers running (maxRunning 2) and 1 starts waiting (queueSize 1); try again when one exits');
    expect((await d.request("GET", "/containers/busy-4/json")).json().State.Status).toBe("created");
    expect((await d.request("GET", "/containers/busy-3/json")).json().State.Status).toBe("created");

    let text = await metrics();
    expect(sample(text, 'sockerless_pool_running{pool="small"}')).toBe(2);
    expect(sample(text, 'sockerless_pool_queue_depth{pool="small"}')).toBe(1);
    expect(sample(text, 'sockerless_pool_utilisation{pool="small"}')).toBe(1);
    expect(sample(text, 'sockerless_pool_rejections_total{pool="small",reason="queue_full"}')).toBe(1);

    expect((await post("/containers/busy-1/kill")).status).toBe(204);
    expect((await third).status).toBe(204);
    expect((await d.request("GET", "/containers/busy-3/json")).json().State.Status).toBe("running");
    text = await metrics();
    expect(sample(text, 'sockerless_pool_running{pool="small"}')).toBe(2);
    expect(sample(text, 'sockerless_pool_queue_depth{pool="small"}')).toBe(0);
    for (const n of [1, 2, 3, 4]) expect((await d.request("DELETE", `/containers/busy-${n}?force=1`)).status).toBe(204);
    expect(await pool("small")).toMatchObject({ running: 0, queued: 0, containers: 0 });
  });

  it("admits a waiting start when the limit is raised, and drops one whose container is removed", async () => {
    for (const n of [1, 2, 3]) await create(`raise-${n}`, ["sleep", "1000"]);
    await post("/containers/raise-1/start");
    await post("/containers/raise-2/start");
    const third = post("/containers/raise-3/start");
    await until(() => pool("small"), (p) => p.queued === 1);
    const patched = await d.request("PATCH", "/sockerless/v1/pools/small", JSON.stringify({ maxRunning: 3 }), json);
    expect(patched.json()).toMatchObject({ maxRunning: 3, queueSize: 1 });
    expect((await third).status).toBe(204);
    await d.request("PATCH", "/sockerless/v1/pools/small", JSON.stringify({ maxRunning: 2 }), json);

    await create("dropped", ["sleep", "1000"]);
    const waiting = post("/containers/dropped/start");
    await until(() => pool("small"), (p) => p.queued === 1);
    expect((await d.request("DELETE", "/containers/dropped?force=1")).status).toBe(204);
    expect((await waiting).status).toBe(409);
    expect(await pool("small")).toMatchObject({ queued: 0, running: 3 });
    for (const n of [1, 2, 3]) await d.request("DELETE", `/containers/raise-${n}?force=1`);
  });

  it("does not count execs against maxRunning", async () => {
    await create("execs", ["sleep", "1000"]);
    await post("/containers/execs/start");
    for (const n of [1, 2, 3]) {
      const exec = await post("/containers/execs/exec", { Cmd: ["echo", `exec ${n}`], AttachStdout: true });
      const started = await post(`/exec/${exec.json().Id}/start`, { Detach: false });
      expect(started.raw.subarray(8).toString()).toBe(`exec ${n}\n`);
    }
    expect(await pool("small")).toMatchObject({ running: 1 });
    await d.request("DELETE", "/containers/execs?force=1");
  });
});

describe("the management API", () => {
  it("lists pools with their configuration and live counts", async () => {
    const list = (await d.request("GET", "/sockerless/v1/pools")).json();
    expect(list.map((p: { name: string }) => p.name)).toEqual(["small", "roomy"]);
    expect(list[1]).toEqual({
      name: "roomy",
      backend: "sandbox",
      options: {},
      instances: 2,
      maxRunning: 0,
      queueSize: 0,
      maxContainers: 3,
      maxMemory: 0,
      default: false,
      containers: 0,
      running: 0,
      queued: 0,
      runningMemory: 0,
      rejections: { queueFull: 0, maxContainers: 1 },
    });
    expect((await d.request("GET", "/sockerless/v1/pools/none")).status).toBe(404);
  });

  it("creates a pool that takes work at once, and removes it only when it holds no containers", async () => {
    const created = await post("/sockerless/v1/pools", { name: "late", backend: "sandbox", maxRunning: 1 });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ name: "late", maxRunning: 1, containers: 0 });
    expect((await post("/sockerless/v1/pools", { name: "late", backend: "sandbox" })).status).toBe(409);
    await create("late-1", ["echo", "late but here"], "late");
    expect((await post("/containers/late-1/start")).status).toBe(204);
    expect((await post("/containers/late-1/wait")).json().StatusCode).toBe(0);
    expect((await d.request("GET", "/containers/late-1/logs?stdout=1")).raw.subarray(8).toString()).toBe("late but here\n");

    const refused = await d.request("DELETE", "/sockerless/v1/pools/late");
    expect(refused.status).toBe(409);
    expect(refused.json().message).toBe('pool "late" holds 1 containers; remove them before removing the pool');
    await d.request("DELETE", "/containers/late-1");
    expect((await d.request("DELETE", "/sockerless/v1/pools/late")).status).toBe(204);
    expect((await d.request("GET", "/sockerless/v1/pools/late")).status).toBe(404);
  });

  it("refuses to remove the default pool, bad definitions, and changes to what a pool runs on", async () => {
    const def = await d.request("DELETE", "/sockerless/v1/pools/small");
    expect(def.status).toBe(409);
    expect(def.json().message).toMatch(/default pool and cannot be removed/);
    const bad = await post("/sockerless/v1/pools", { name: "x", backend: "sandbox", maxRuning: 1 });
    expect(bad.status).toBe(400);
    expect(bad.json().message).toMatch(/unknown key "maxRuning"/);
    const badOption = await post("/sockerless/v1/pools", { name: "x", backend: "sandbox", options: { nope: "1" } });
    expect(badOption.status).toBe(400);
    expect(badOption.json().message).toMatch(/unknown sandbox backend option "nope"/);
    const put = await d.request("PUT", "/sockerless/v1/pools/roomy", JSON.stringify({ backend: "sandbox", instances: 1 }), json);
    expect(put.status).toBe(400);
    expect(put.json().message).toMatch(/instances of pool "roomy" cannot change/);
    const patch = await d.request("PATCH", "/sockerless/v1/pools/roomy", JSON.stringify({ backend: "sandbox" }), json);
    expect(patch.status).toBe(400);
  });

  it("replaces limits with PUT", async () => {
    const put = await d.request("PUT", "/sockerless/v1/pools/roomy", JSON.stringify({ backend: "sandbox", instances: 2, maxContainers: 5 }), json);
    expect(put.status).toBe(200);
    expect(put.json()).toMatchObject({ maxContainers: 5, maxRunning: 0, queueSize: 0 });
  });

  it("is not under the Docker API's version prefix", async () => {
    expect((await d.request("GET", "/v1.51/sockerless/v1/pools")).status).toBe(404);
    expect((await d.request("GET", "/v1.51/metrics")).status).toBe(404);
  });
});

describe("request metrics", () => {
  it("counts requests by route template, never by raw path", async () => {
    await create("counted", ["true"]);
    await d.request("GET", "/containers/counted/json");
    await d.request("GET", "/v1.51/containers/counted/json");
    await d.request("GET", "/no/such/route");
    const res = await d.request("GET", "/metrics");
    expect(res.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = res.body;
    expect(sample(text, 'sockerless_http_requests_total{method="GET",route="/containers/{id}/json",status="200"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'sockerless_http_requests_total{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sockerless_http_requests_total{method="POST",route="/exec/{id}/start",status="200"}')).toBe(3);
    expect(sample(text, 'sockerless_http_request_duration_seconds_count{method="GET",route="/containers/{id}/json"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'sockerless_http_request_duration_seconds_bucket{method="GET",route="/containers/{id}/json",le="+Inf"}')).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/counted|no\/such/);
    expect(text).toMatch(/^# TYPE sockerless_http_request_duration_seconds histogram$/m);
    await d.request("DELETE", "/containers/counted");
  });
});

/** Prometheus's own linter (Debian package `prometheus`), where installed. */
const promtool = spawnSync("promtool", ["--version"]).status === 0;

describe("the exposition", () => {
  it.skipIf(!promtool)("passes `promtool check metrics`", async () => {
    const check = spawnSync("promtool", ["check", "metrics"], { input: await metrics(), encoding: "utf8" });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
  });
});

describe("without --pools", () => {
  it("answers the pools API with 501 and still serves request metrics", async () => {
    const plain = await startTestDaemon();
    try {
      const res = await plain.request("GET", "/sockerless/v1/pools");
      expect(res.status).toBe(501);
      expect(res.json().message).toMatch(/pools are not configured/);
      expect((await plain.request("DELETE", "/sockerless/v1/pools/x")).status).toBe(501);
      const text = (await plain.request("GET", "/metrics")).body;
      expect(text).not.toMatch(/sockerless_pool_/);
      expect(sample(text, 'sockerless_http_requests_total{method="GET",route="/sockerless/v1/pools",status="501"}')).toBe(1);
    } finally {
      await plain.close();
    }
  });
});
