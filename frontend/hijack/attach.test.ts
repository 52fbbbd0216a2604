import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  await loadBusybox(d);
});
afterAll(() => d.close());

/** Attaches over a raw connection, writes `input` once the daemon answered, and resolves with all it sent when it closes. */
function attach(id: string, query: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(d.socket);
    let got = "";
    s.on("connect", () => s.write(`POST /containers/${id}/attach?${query} HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n`));
    s.on("data", (c: Buffer) => {
      const first = got === "";
      got += c.toString("latin1");
      if (first) s.write(input);
    });
    s.on("close", () => resolve(got));
    s.on("error", reject);
  });
}

describe("attach detach keys", () => {
  const json = { "Content-Type": "application/json" };
  const tty = async (name: string) => {
    const body = { Image: BUSYBOX_IMAGE, Tty: true, OpenStdin: true, Cmd: ["sh", "-c", "read x; echo got $x"] };
    const { Id } = (await d.request("POST", `/containers/create?name=${name}`, JSON.stringify(body), json)).json();
    await d.request("POST", `/containers/${Id}/start`);
    return Id;
  };

  it("leaves a TTY on ctrl-p ctrl-q; the container keeps running", async () => {
    const id = await tty("det1");
    const out = await attach(id, "stream=1&stdin=1&stdout=1", "\x10\x11");
    expect(out).toMatch(/^HTTP\/1.1 101 UPGRADED/);
    expect((await d.request("GET", `/containers/${id}/json`)).json().State.Running).toBe(true);
    await d.request("POST", `/containers/${id}/kill`);
  });

  it("uses the detach keys the client names, and delivers everything else", async () => {
    const id = await tty("det2");
    const out = await attach(id, "stream=1&stdin=1&stdout=1&detachKeys=ctrl-a", "hi\n");
    expect(out).toContain("got hi");
    const again = await attach(id, "stream=1&stdin=1&stdout=1&detachKeys=bogus", "");
    expect(again).toMatch(/^HTTP\/1.1 400 [\s\S]*Invalid detach keys \(bogus\) provided/);
  });
});

describe("attach over a websocket", () => {
  it("carries stdin and raw output in binary frames, and closes when the process exits", async () => {
    const { WebSocket } = await import("ws");
    const json = { "Content-Type": "application/json" };
    const body = { Image: BUSYBOX_IMAGE, OpenStdin: true, Cmd: ["sh", "-c", "echo ready; read x; echo got $x >&2"] };
    const { Id } = (await d.request("POST", "/containers/create?name=ws1", JSON.stringify(body), json)).json();
    const ws = new WebSocket(`ws+unix://${d.socket}:/v1.51/containers/${Id}/attach/ws?stream=1&stdin=1&stdout=1&stderr=1`);
    const frames: { text: string; binary: boolean }[] = [];
    const closed = new Promise<void>((resolve) => ws.on("close", () => resolve()));
    ws.on("message", (data: Buffer, binary: boolean) => {
      frames.push({ text: data.toString(), binary });
      if (data.toString().includes("ready")) ws.send("hi\n");
    });
    await new Promise<void>((resolve, reject) => ws.on("open", () => resolve()).on("error", reject));
    await d.request("POST", `/containers/${Id}/start`);
    await closed;
    expect(frames.map((f) => f.text).join("")).toBe("ready\ngot hi\n");
    expect(frames.every((f) => f.binary)).toBe(true);
  });

  it("answers a request without the upgrade with 400, and an unknown container with 404", async () => {
    expect((await d.request("GET", "/containers/ws1/attach/ws")).status).toBe(400);
    const { WebSocket } = await import("ws");
    const ws = new WebSocket(`ws+unix://${d.socket}:/containers/nope/attach/ws?stream=1`);
    const status = await new Promise<number>((resolve) => ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });
});
