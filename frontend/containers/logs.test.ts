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

async function run(name: string, cmd: string[], extra: object = {}): Promise<string> {
  const { Id } = (await d.request("POST", `/containers/create?name=${name}`, JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: cmd, ...extra }), json)).json();
  const wait = d.request("POST", `/containers/${Id}/wait?condition=next-exit`);
  await d.request("POST", `/containers/${Id}/start`);
  await wait;
  return Id;
}

/** The stdcopy frames of a multiplexed body, as [stream, text]. */
function frames(body: Buffer): [number, string][] {
  const out: [number, string][] = [];
  for (let i = 0; i < body.length; ) {
    const size = body.readUInt32BE(i + 4);
    out.push([body[i], body.subarray(i + 8, i + 8 + size).toString()]);
    i += 8 + size;
  }
  return out;
}

function get(path: string, onData?: (sofar: Buffer) => void): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: d.socket, path, headers: { Host: "localhost" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => {
          chunks.push(c);
          onData?.(Buffer.concat(chunks));
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

describe("container logs", () => {
  it("keeps lines per stream, and an unterminated line until the process ends", async () => {
    await run("lines", ["sh", "-c", "echo a; printf b; echo c >&2; printf partial"]);
    const { body } = await get("/containers/lines/logs?stdout=1&stderr=1");
    expect(frames(body)).toEqual([
      [1, "a\n"],
      [2, "c\n"],
      [1, "bpartial"],
    ]);
    expect(frames((await get("/containers/lines/logs?stderr=1")).body)).toEqual([[2, "c\n"]]);
  });

  it("gives the last lines of the chosen streams with tail", async () => {
    expect(frames((await get("/containers/lines/logs?stdout=1&tail=1")).body)).toEqual([[1, "bpartial"]]);
    // The tail is taken over both streams, then the stream chosen, as dockerd's json-file does.
    expect(frames((await get("/containers/lines/logs?stderr=1&tail=1")).body)).toEqual([]);
    expect(frames((await get("/containers/lines/logs?stdout=1&stderr=1&tail=2")).body)).toEqual([
      [2, "c\n"],
      [1, "bpartial"],
    ]);
    expect((await get("/containers/lines/logs?stdout=1&tail=0")).body.length).toBe(0);
    expect(frames((await get("/containers/lines/logs?stdout=1&tail=all")).body)).toHaveLength(2);
    expect(frames((await get("/containers/lines/logs?stdout=1&tail=-3")).body)).toHaveLength(2);
  });

  it("prefixes timestamps and details as dockerd does", async () => {
    const [[, line]] = frames((await get("/containers/lines/logs?stdout=1&timestamps=1&tail=1")).body);
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z bpartial$/);
    expect(frames((await get("/containers/lines/logs?stdout=1&details=1&tail=1")).body)).toEqual([[1, " bpartial"]]);
  });

  it("selects by since and until, and refuses a bad timestamp like dockerd", async () => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect((await get(`/containers/lines/logs?stdout=1&since=${future}`)).body.length).toBe(0);
    expect(frames((await get(`/containers/lines/logs?stdout=1&since=1.5&until=${future}.000000001`)).body)).toHaveLength(2);
    expect((await get("/containers/lines/logs?stdout=1&until=1")).body.length).toBe(0);
    const bad = await d.request("GET", "/containers/lines/logs?stdout=1&since=abc");
    expect(bad.status).toBe(500);
    expect(bad.json()).toEqual({ message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
  });

  it("follows a running container until it exits", async () => {
    const { Id } = (await d.request("POST", "/containers/create?name=follow", JSON.stringify({ Image: BUSYBOX_IMAGE, OpenStdin: true, Cmd: ["sh", "-c", 'echo one; read x; echo "two $x"'] }), json)).json();
    await d.request("POST", `/containers/${Id}/start`);
    let sent = false;
    const followed = await get("/containers/follow/logs?stdout=1&follow=1", (sofar) => {
      if (!sent && sofar.includes("one")) {
        sent = true;
        d.engine.containers.bus.emit(`stdin:${Id}`, Buffer.from("x\n"));
      }
    });
    expect(frames(followed.body)).toEqual([
      [1, "one\n"],
      [1, "two x\n"],
    ]);
  });

  it("does not follow a stopped container", async () => {
    expect(frames((await get("/containers/lines/logs?stdout=1&follow=1")).body)).toHaveLength(2);
  });

  it("keeps logs of a TTY container raw", async () => {
    await run("tty", ["echo", "raw"], { Tty: true });
    expect((await get("/containers/tty/logs?stdout=1")).body.toString()).toBe("raw\r\n");
  });
});

describe("log drivers", () => {
  const create = (name: string, LogConfig: object, Cmd = ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9; do echo line$i; done"]) =>
    d.request("POST", `/containers/create?name=${name}`, JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd, HostConfig: { LogConfig } }), json);

  it("refuses unknown drivers and options as dockerd does, and drivers that ship logs elsewhere as not supported", async () => {
    expect((await create("ld1", { Type: "bogus" })).json()).toEqual({ message: 'error looking up logging plugin bogus: plugin "bogus" not found' });
    expect((await create("ld1", { Type: "json-file", Config: { bogus: "1" } })).json()).toEqual({ message: "unknown log opt 'bogus' for json-file log driver" });
    const syslog = await create("ld1", { Type: "syslog" });
    expect(syslog.status).toBe(501);
  });

  it("keeps nothing with none, and says logs cannot be read", async () => {
    await create("ld-none", { Type: "none" });
    const wait = d.request("POST", "/containers/ld-none/wait?condition=next-exit");
    await d.request("POST", "/containers/ld-none/start");
    await wait;
    expect((await d.request("GET", "/containers/ld-none/logs?stdout=1")).json()).toEqual({ message: "configured logging driver does not support reading" });
  });

  it("keeps at most max-size × max-file bytes, dropping the oldest lines", async () => {
    await create("ld-rot", { Type: "json-file", Config: { "max-size": "12", "max-file": "2" } });
    const wait = d.request("POST", "/containers/ld-rot/wait?condition=next-exit");
    await d.request("POST", "/containers/ld-rot/start");
    await wait;
    expect(frames((await get("/containers/ld-rot/logs?stdout=1")).body).map(([, l]) => l)).toEqual(["line6\n", "line7\n", "line8\n", "line9\n"]);
  });
});
