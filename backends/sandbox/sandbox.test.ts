import { readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { demux, startTestDaemon, type TestDaemon } from "../../frontend/testing.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  const file = join(d.dataDir, "busybox.tar");
  await buildBusyboxImage(file);
  await d.request("POST", "/images/load", readFileSync(file), { "Content-Type": "application/x-tar" });
}, 60_000);
afterAll(() => d.close());

const json = { "Content-Type": "application/json" };

async function create(body: object): Promise<string> {
  const r = await d.request("POST", "/containers/create", JSON.stringify({ Image: BUSYBOX_IMAGE, ...body }), json);
  expect(r.status, r.body).toBe(201);
  return r.json().Id;
}

/**
 * Attaches with Upgrade: tcp. `ready` resolves once the daemon has answered
 * (the attach is in place); `done` with what it sent until it closed.
 */
function attach(id: string, stdin?: string) {
  let ready!: () => void;
  const attached = new Promise<void>((r) => (ready = r));
  const done = new Promise<{ head: string; body: Buffer }>((resolve, reject) => {
    const s = net.connect(d.socket);
    let raw = Buffer.alloc(0);
    s.on("connect", () => {
      s.write(`POST /v1.51/containers/${id}/attach?stream=1&stdin=${stdin === undefined ? 0 : 1}&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n`);
    });
    s.on("data", (c: Buffer) => {
      const first = raw.length === 0;
      raw = Buffer.concat([raw, c]);
      if (first) {
        ready();
        if (stdin !== undefined) {
          s.write(stdin);
          s.end();
        }
      }
    });
    s.on("error", reject);
    s.on("end", () => {
      const at = raw.indexOf("\r\n\r\n");
      resolve({ head: raw.subarray(0, at).toString(), body: raw.subarray(at + 4) });
      s.end();
    });
  });
  return { attached, done };
}

async function runToEnd(body: object, stdin?: string) {
  const id = await create({ AttachStdout: true, AttachStderr: true, OpenStdin: stdin !== undefined, StdinOnce: stdin !== undefined, ...body });
  const session = attach(id, stdin);
  await session.attached;
  const start = await d.request("POST", `/containers/${id}/start`);
  expect(start.status, start.body).toBe(204);
  const { head, body: out } = await session.done;
  const wait = (await d.request("POST", `/containers/${id}/wait`)).json();
  return { id, head, out: demux(out), exit: wait.StatusCode as number };
}

describe("the sandbox backend", () => {
  it("runs an image's shell over its real files, streaming output with exact exit codes", async () => {
    const r = await runToEnd({ Cmd: ["sh", "-c", "echo hi; ls /bin | grep -c busybox; echo oops >&2; exit 3"] });
    expect(r.head).toMatch(/^HTTP\/1.1 101 UPGRADED/);
    expect(r.out).toEqual(["hi\n1\n", "oops\n"]);
    expect(r.exit).toBe(3);
  });

  it("feeds attached stdin and ends it on half-close", async () => {
    const r = await runToEnd({ Cmd: ["sh", "-c", "while read l; do echo got $l; done; echo eof"] }, "a\nb\n");
    expect(r.out[0]).toBe("got a\ngot b\neof\n");
    expect(r.exit).toBe(0);
  });

  it("runs a utility that reads no input while stdin stays open, as an interactive exec's ls", async () => {
    const id = await create({ Cmd: ["ls", "/"], OpenStdin: true });
    expect((await d.request("POST", `/containers/${id}/start`)).status).toBe(204);
    expect((await d.request("POST", `/containers/${id}/wait`)).json().StatusCode).toBe(0);
    expect((await d.request("GET", `/containers/${id}/logs?stdout=1`)).body.toString()).toContain("bin");
  });

  it("refuses a missing executable at start with exit code 127", async () => {
    const id = await create({ Cmd: ["nope"] });
    const r = await d.request("POST", `/containers/${id}/start`);
    expect(r.status).toBe(400);
    expect(r.json().message).toMatch(/exec: "nope": executable file not found in \$PATH/);
    expect((await d.request("GET", `/containers/${id}/json`)).json().State.ExitCode).toBe(127);
  });

  it("fails a Linux binary it cannot run like a wrong-architecture binary", async () => {
    const r = await runToEnd({ Cmd: ["sh", "-c", "cp /bin/busybox /tmp/prog && /tmp/prog; echo status $?"] });
    expect(r.out[0]).toBe("status 126\n");
    expect(r.out[1]).toMatch(/cannot execute binary file: Exec format error/);
    const id = await create({ Cmd: ["/bin/busybox-copy"], Entrypoint: ["sh", "-c", "cp /bin/busybox /bin/busybox-copy; exec /bin/busybox-copy"] });
    expect((await d.request("POST", `/containers/${id}/start`)).status).toBe(204);
    expect((await d.request("POST", `/containers/${id}/wait`)).json().StatusCode).toBe(126);
  });

  it("OOM-kills a container that outgrows its memory limit, and the daemon carries on", async () => {
    for (const script of ["x=aaaaaaaa; while true; do x=$x$x; done", 'i=0; while true; do eval "v$i=$(printf %0100000d 0)"; i=$((i+1)); done']) {
      const id = await create({ Cmd: ["sh", "-c", script], HostConfig: { Memory: 32 * 1024 * 1024 } });
      expect((await d.request("POST", `/containers/${id}/start`)).status).toBe(204);
      expect((await d.request("POST", `/containers/${id}/wait`)).json().StatusCode).toBe(137);
      expect((await d.request("GET", `/containers/${id}/json`)).json().State).toMatchObject({ OOMKilled: true, ExitCode: 137 });
    }
    expect((await d.request("GET", "/_ping")).body).toBe("OK");
  });

  it("refuses published ports, naming the backend", async () => {
    const r = await d.request("POST", "/containers/create", JSON.stringify({ Image: BUSYBOX_IMAGE, HostConfig: { PortBindings: { "80/tcp": [{ HostPort: "8080" }] } } }), json);
    expect(r.status).toBe(501);
    expect(r.json().message).toBe("publishing ports is not supported by the sandbox backend: its containers have no network");
  });

  it("keeps answering /_ping within 50 ms while a container busy-loops", async () => {
    const id = await create({ Cmd: ["sh", "-c", "while true; do :; done"] });
    expect((await d.request("POST", `/containers/${id}/start`)).status).toBe(204);
    const worst = { ms: 0 };
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      expect((await d.request("GET", "/_ping")).body).toBe("OK");
      worst.ms = Math.max(worst.ms, performance.now() - t);
    }
    expect(worst.ms).toBeLessThan(50);
    expect((await d.request("POST", `/containers/${id}/kill`)).status).toBe(204);
    expect((await d.request("POST", `/containers/${id}/wait`)).json().StatusCode).toBe(137);
  });

  it("runs execs beside PID 1 and stops PID 1 with SIGKILL after the timeout", async () => {
    const id = await create({ Cmd: ["sleep", "infinity"] });
    expect((await d.request("POST", `/containers/${id}/start`)).status).toBe(204);
    const exec = (await d.request("POST", `/containers/${id}/exec`, JSON.stringify({ Cmd: ["sh", "-c", "echo x > /tmp/f; cat /tmp/f"], AttachStdout: true }), json)).json();
    const started = await d.request("POST", `/exec/${exec.Id}/start`, JSON.stringify({ Detach: true }), json);
    expect(started.status).toBe(200);
    let info;
    do info = (await d.request("GET", `/exec/${exec.Id}/json`)).json();
    while (info.Running || info.ExitCode === null);
    expect(info.ExitCode).toBe(0);
    const t = performance.now();
    expect((await d.request("POST", `/containers/${id}/stop?t=1`)).status).toBe(204);
    expect(performance.now() - t).toBeGreaterThanOrEqual(900);
    const state = (await d.request("GET", `/containers/${id}/json`)).json().State;
    expect(state).toMatchObject({ Status: "exited", ExitCode: 137 });
  });

  it("keeps a container's changes across stop and start, and not in other containers", async () => {
    const script = ["sh", "-c", "echo x >> /root/count; wc -l < /root/count"];
    const id = await create({ Cmd: script });
    const lines: string[] = [];
    for (let i = 0; i < 2; i++) {
      const session = attach(id);
      await session.attached;
      await d.request("POST", `/containers/${id}/start`);
      lines.push(demux((await session.done).body)[0].trim());
    }
    expect(lines).toEqual(["1", "2"]);
    const other = await runToEnd({ Cmd: script });
    expect(other.out[0].trim()).toBe("1");
  });
});
