import http from "node:http";
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
async function run(name: string, body: object): Promise<string> {
  const r = await d.request("POST", `/containers/create?name=${name}`, JSON.stringify({ Image: BUSYBOX_IMAGE, ...body }), json);
  expect(r.status).toBe(201);
  expect((await d.request("POST", `/containers/${name}/start`)).status).toBe(204);
  return r.json().Id;
}
const exitedOf = async (name: string) => {
  for (;;) {
    const c = (await d.request("GET", `/containers/${name}/json`)).json();
    if (c.State.Status === "exited") return c;
    await new Promise((r) => setImmediate(r));
  }
};
const q = (filters: object) => encodeURIComponent(JSON.stringify(filters));

describe("container list", () => {
  it("filters by name, status, exit code and label, and reports real sizes", async () => {
    await run("ob-done", { Cmd: ["sh", "-c", "echo hello > /greeting; exit 3"], Labels: { team: "a" } });
    await exitedOf("ob-done");
    await run("ob-up", { Cmd: ["sleep", "300"], Labels: { team: "b" } });
    const names = async (query: string) => (await d.request("GET", `/containers/json?${query}`)).json().map((c: any) => c.Names[0]);
    expect(await names(`filters=${q({ name: ["ob-"] })}`)).toEqual(["/ob-up"]);
    expect(await names(`all=1&filters=${q({ name: ["ob-"] })}`)).toEqual(["/ob-up", "/ob-done"]);
    expect(await names(`filters=${q({ name: ["ob-"], status: ["exited"] })}`)).toEqual(["/ob-done"]);
    expect(await names(`all=yes&filters=${q({ exited: ["3"] })}`)).toEqual(["/ob-done"]);
    expect(await names(`all=1&filters=${q({ label: ["team=b"] })}`)).toEqual(["/ob-up"]);
    expect(await names(`all=1&filters=${q({ ancestor: [BUSYBOX_IMAGE], name: ["ob-done"] })}`)).toEqual(["/ob-done"]);
    const bad = await d.request("GET", `/containers/json?filters=${q({ nope: ["x"] })}`);
    expect([bad.status, bad.json().message]).toEqual([400, "invalid filter 'nope'"]);
    expect((await d.request("GET", "/containers/json?limit=x")).json().message).toBe('strconv.Atoi: parsing "x": invalid syntax');

    const [sized] = (await d.request("GET", `/containers/json?all=1&size=1&filters=${q({ name: ["ob-done"] })}`)).json();
    const image = (await d.request("GET", `/images/${BUSYBOX_IMAGE}/json`)).json();
    expect(sized.SizeRw).toBeGreaterThanOrEqual("hello\n".length);
    expect(sized.SizeRootFs).toBe(image.Size + sized.SizeRw);
    const inspected = (await d.request("GET", "/containers/ob-done/json?size=1")).json();
    expect([inspected.SizeRw, inspected.SizeRootFs]).toEqual([sized.SizeRw, sized.SizeRootFs]);
    expect((await d.request("GET", "/containers/ob-done/json")).json().SizeRw).toBeUndefined();
  });
});

describe("top", () => {
  it("lists PID 1 and execs in ps -ef columns, and refuses a stopped container", async () => {
    const id = await run("ob-top", { Cmd: ["sleep", "300"] });
    const exec = d.engine.execs.create(id, { Cmd: ["sleep", "200"] });
    await d.engine.execs.start(exec.id);
    const r = (await d.request("GET", "/containers/ob-top/top")).json();
    expect(r.Titles).toEqual(["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]);
    expect(r.Processes.map((p: string[]) => [p[0], p[1], p[2], p[5], p[7]])).toEqual([
      ["root", "1", "0", "?", "sleep 300"],
      ["root", "2", "0", "?", "sleep 200"],
    ]);
    expect(r.Processes[0][4]).toMatch(/^\d\d:\d\d$/);
    expect((await d.request("GET", "/containers/ob-top/top?ps_args=aux")).status).toBe(501);
    await d.request("POST", "/containers/ob-top/kill");
    await exitedOf("ob-top");
    const stopped = await d.request("GET", "/containers/ob-top/top");
    expect([stopped.status, stopped.json().message]).toEqual([409, `container ${id} is not running`]);
  });
});

describe("stats", () => {
  it("measures a container with its own thread: CPU time and heap", async () => {
    const id = await run("ob-mem", { Cmd: ["sleep", "300"], HostConfig: { Memory: 256 * 1024 * 1024 } });
    const s = (await d.request("GET", "/containers/ob-mem/stats?stream=0&one-shot=1")).json();
    expect(s.id).toBe(id);
    expect(s.name).toBe("/ob-mem");
    expect(s.read).not.toBe("0001-01-01T00:00:00Z");
    expect(s.preread).toBe("0001-01-01T00:00:00Z");
    expect(s.pids_stats).toEqual({ current: 1 });
    expect(s.cpu_stats.cpu_usage.total_usage).toBe(s.cpu_stats.cpu_usage.usage_in_usermode + s.cpu_stats.cpu_usage.usage_in_kernelmode);
    expect(s.cpu_stats.system_cpu_usage).toBeGreaterThan(0);
    expect(s.cpu_stats.online_cpus).toBeGreaterThan(0);
    expect(s.memory_stats.usage).toBeGreaterThan(0);
    expect(s.memory_stats.limit).toBe(256 * 1024 * 1024);
  });

  it("on a shared thread counts processes and leaves CPU and memory use unmeasured", async () => {
    await run("ob-shared", { Cmd: ["sleep", "300"] });
    const s = (await d.request("GET", "/containers/ob-shared/stats?stream=0&one-shot=1")).json();
    expect(s.pids_stats).toEqual({ current: 1 });
    expect(s.cpu_stats.cpu_usage.total_usage).toBe(0);
    expect(s.memory_stats.usage).toBeUndefined();
    expect(s.memory_stats.limit).toBeGreaterThan(0);
  });

  it("answers a stopped container with dockerd's zeroed stats", async () => {
    await run("ob-gone", { Cmd: ["true"] });
    const c = await exitedOf("ob-gone");
    const s = (await d.request("GET", "/containers/ob-gone/stats?stream=0")).json();
    expect(s.read).toBe("0001-01-01T00:00:00Z");
    expect(s.pids_stats).toEqual({});
    expect(s.memory_stats).toEqual({});
    expect(s.cpu_stats).toEqual({ cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } });
    expect(s.blkio_stats.io_service_bytes_recursive).toBeNull();
    expect(s.id).toBe(c.Id);
  });

  it("streams one object per sample, each with the previous as precpu", async () => {
    await run("ob-stream", { Cmd: ["sleep", "300"], HostConfig: { Memory: 128 * 1024 * 1024 } });
    const objects = await new Promise<any[]>((resolve, reject) => {
      const got: any[] = [];
      const req = http.get({ socketPath: d.socket, path: "/containers/ob-stream/stats", headers: { Host: "localhost" } }, (res) => {
        let buf = "";
        res.on("data", (chunk: Buffer) => {
          buf += chunk.toString();
          for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
            got.push(JSON.parse(buf.slice(0, nl)));
            buf = buf.slice(nl + 1);
            if (got.length === 2) {
              req.destroy();
              resolve(got);
            }
          }
        });
      });
      req.on("error", (err) => (got.length < 2 ? reject(err) : undefined));
    });
    expect(objects[0].preread).toBe("0001-01-01T00:00:00Z");
    expect(objects[1].preread).toBe(objects[0].read);
    expect(objects[1].precpu_stats).toEqual(objects[0].cpu_stats);
  });
});
