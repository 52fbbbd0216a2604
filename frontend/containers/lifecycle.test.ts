import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  await loadBusybox(d);
});
afterAll(() => d.close());

const json = { "Content-Type": "application/json" };
const post = (path: string, body?: object) => d.request("POST", path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : json);
const inspect = async (name: string) => (await d.request("GET", `/containers/${name}/json`)).json();
const create = (name: string, body: object) => post(`/containers/create?name=${name}`, { Image: BUSYBOX_IMAGE, ...body });

/** Polls the container's record until `done` holds; the daemon applies restarts on its own schedule. */
async function until(name: string, done: (c: any) => boolean): Promise<any> {
  for (;;) {
    const c = await inspect(name);
    if (done(c)) return c;
    await new Promise((r) => setImmediate(r));
  }
}

describe("restart policies", () => {
  it("restarts on failure up to the maximum, then stays exited", async () => {
    await create("fails", { Cmd: ["sh", "-c", "echo run; exit 3"], HostConfig: { RestartPolicy: { Name: "on-failure", MaximumRetryCount: 2 } } });
    await post("/containers/fails/start");
    const c = await until("fails", (c) => c.RestartCount === 2 && c.State.Status === "exited");
    expect(c.State.ExitCode).toBe(3);
    const logs = await d.request("GET", "/containers/fails/logs?stdout=1");
    expect(logs.body.match(/run/g)).toHaveLength(3);
  });

  it("does not restart a clean exit on failure", async () => {
    await create("clean", { Cmd: ["true"], HostConfig: { RestartPolicy: { Name: "on-failure" } } });
    await post("/containers/clean/start");
    await post("/containers/clean/wait");
    const c = await until("clean", (c) => c.State.Status === "exited");
    expect(c.RestartCount).toBe(0);
  });

  it("keeps an always container running until a client stops it", async () => {
    await create("always", { Cmd: ["sh", "-c", "exit 1"], HostConfig: { RestartPolicy: { Name: "always" } } });
    await post("/containers/always/start");
    await until("always", (c) => c.RestartCount >= 2);
    expect((await post("/containers/always/stop")).status).toBe(204);
    const c = await until("always", (c) => c.State.Status === "exited");
    const count = c.RestartCount;
    expect((await inspect("always")).RestartCount).toBe(count);
    expect(c.State.Restarting).toBe(false);
  });

  it("refuses policies Docker refuses", async () => {
    const bad = await create("bad", { HostConfig: { RestartPolicy: { Name: "sometimes" } } });
    expect(bad.status).toBe(400);
    const both = await create("bad", { HostConfig: { AutoRemove: true, RestartPolicy: { Name: "always" } } });
    expect(both.json()).toEqual({ message: "can't create 'AutoRemove' container with restart policy" });
  });
});

describe("restart, rename, kill and update", () => {
  it("restarts a running container with a new start time", async () => {
    await create("svc", { Cmd: ["sleep", "infinity"] });
    await post("/containers/svc/start");
    const before = (await inspect("svc")).State.StartedAt;
    expect((await post("/containers/svc/restart?t=0")).status).toBe(204);
    const after = await inspect("svc");
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt > before).toBe(true);
    expect((await post("/containers/svc/restart?t=x")).json()).toEqual({ message: 'strconv.Atoi: parsing "x": invalid syntax' });
  });

  it("renames as Docker does", async () => {
    expect((await post("/containers/svc/rename?name=svc2")).status).toBe(204);
    expect((await inspect("svc2")).Name).toBe("/svc2");
    expect((await d.request("GET", "/containers/svc/json")).status).toBe(404);
    expect((await post("/containers/svc2/rename?name=svc2")).json()).toEqual({ message: "Renaming a container with the same name as its current name" });
    expect((await post("/containers/svc2/rename?name=")).json()).toEqual({ message: "Neither old nor new names may be empty" });
    expect((await post("/containers/svc2/rename?name=bad%20n")).json()).toEqual({
      message: "Error when allocating new name: Invalid container name (/bad n), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
    });
    expect((await post("/containers/svc2/rename?name=fails")).status).toBe(409);
  });

  it("checks the signal of kill", async () => {
    expect((await post("/containers/svc2/kill?signal=FOO")).json()).toEqual({ message: "Invalid signal: FOO" });
    // PID 1 without a handler ignores SIGTERM, as in Docker; 9 is SIGKILL.
    expect((await post("/containers/svc2/kill?signal=term")).status).toBe(204);
    expect((await post("/containers/svc2/kill?signal=9")).status).toBe(204);
    const c = await until("svc2", (c) => c.State.Status === "exited");
    expect(c.State.ExitCode).toBe(137);
  });

  it("updates the restart policy and discards limits the backend cannot enforce, with a warning", async () => {
    const r = await post("/containers/svc2/update", { RestartPolicy: { Name: "unless-stopped" }, CpuShares: 512 });
    expect(r.json()).toEqual({ Warnings: ["The sandbox backend does not support CPU shares. Shares discarded."] });
    const c = await inspect("svc2");
    expect(c.HostConfig.RestartPolicy).toEqual({ Name: "unless-stopped" });
    expect(c.HostConfig.CpuShares ?? 0).toBe(0);
    expect((await post("/containers/svc2/update", { Memory: 1000 })).json()).toEqual({ message: "Minimum memory limit allowed is 6MB" });
  });

  it("warns on create about limits the backend cannot enforce", async () => {
    const r = await create("limited", { HostConfig: { CpuShares: 100, Memory: 64 * 1024 * 1024 } });
    expect(r.json().Warnings).toEqual(["The sandbox backend does not support CPU shares. Shares discarded."]);
    expect((await inspect("limited")).HostConfig.Memory).toBe(64 * 1024 * 1024);
  });
});

describe("health checks", () => {
  const ms = 1_000_000;
  it("turns healthy after a passing probe, keeping its log", async () => {
    await create("healthy", { Cmd: ["sleep", "infinity"], Healthcheck: { Test: ["CMD-SHELL", "echo probing; test -e /etc/passwd"], Interval: 20 * ms } });
    await post("/containers/healthy/start");
    expect((await inspect("healthy")).State.Health.Status).toBe("starting");
    const c = await until("healthy", (c) => c.State.Health.Status === "healthy");
    expect(c.State.Health.FailingStreak).toBe(0);
    expect(c.State.Health.Log[0]).toMatchObject({ ExitCode: 0, Output: "probing\n" });
    const list = (await d.request("GET", "/containers/json?filters=" + encodeURIComponent('{"name":["healthy"]}'))).json();
    expect(list[0].Status).toMatch(/^Up .* \(healthy\)$/);
    await post("/containers/healthy/kill");
  });

  it("turns unhealthy after Retries failures in a row, and times probes out", async () => {
    await create("sick", { Cmd: ["sleep", "infinity"], Healthcheck: { Test: ["CMD", "sleep", "5"], Interval: 10 * ms, Timeout: 20 * ms, Retries: 2 } });
    await post("/containers/sick/start");
    const c = await until("sick", (c) => c.State.Health.Status === "unhealthy");
    expect(c.State.Health.FailingStreak).toBe(2);
    expect(c.State.Health.Log.at(-1)).toMatchObject({ ExitCode: -1, Output: "Health check exceeded timeout (20ms)" });
    await post("/containers/sick/kill");
  });

  it("does not count failures during the start period", async () => {
    await create("slow", { Cmd: ["sleep", "infinity"], Healthcheck: { Test: ["CMD", "false"], Interval: 10 * ms, StartPeriod: 60_000 * ms, StartInterval: 10 * ms, Retries: 1 } });
    await post("/containers/slow/start");
    const c = await until("slow", (c) => c.State.Health.Log.length >= 2);
    expect(c.State.Health).toMatchObject({ Status: "starting", FailingStreak: 0 });
    await post("/containers/slow/kill");
  });

  it("refuses durations below a millisecond and negative retries", async () => {
    expect((await create("badhc", { Healthcheck: { Test: ["CMD", "true"], Interval: 10 } })).json()).toEqual({ message: "Interval in Healthcheck cannot be less than 1ms" });
    expect((await create("badhc", { Healthcheck: { Test: ["CMD", "true"], Retries: -1 } })).json()).toEqual({ message: "Retries in Healthcheck cannot be negative" });
  });
});

describe("prune", () => {
  it("removes stopped containers matching the filters, and reports them", async () => {
    await create("keep-running", { Cmd: ["sleep", "infinity"], Labels: { prune: "yes" } });
    await post("/containers/keep-running/start");
    const { Id: labelled } = (await create("prune-me", { Cmd: ["true"], Labels: { prune: "yes" } })).json();
    await create("prune-not", { Cmd: ["true"], Labels: { prune: "no" } });
    const bad = await post(`/containers/prune?filters=${encodeURIComponent('{"bogus":["x"]}')}`);
    expect(bad.json()).toEqual({ message: "invalid filter 'bogus'" });
    const r = await post(`/containers/prune?filters=${encodeURIComponent('{"label":["prune=yes"]}')}`);
    expect(r.json()).toEqual({ ContainersDeleted: [labelled], SpaceReclaimed: 0 });
    expect((await d.request("GET", "/containers/prune-not/json")).status).toBe(200);
    expect((await d.request("GET", "/containers/keep-running/json")).status).toBe(200);
    const none = await post(`/containers/prune?filters=${encodeURIComponent('{"until":["2000-01-01T00:00:00Z"]}')}`);
    expect(none.json()).toEqual({ ContainersDeleted: null, SpaceReclaimed: 0 });
    await post("/containers/keep-running/kill");
  });
});
