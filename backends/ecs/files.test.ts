import { Readable } from "node:stream";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { containerCalls, type TestDaemon } from "../../frontend/testing.js";
import { startEcsTestbed, type EcsTestbed } from "./testing.js";

let bed: EcsTestbed;
let d: TestDaemon;
const json = { "Content-Type": "application/json" };

beforeAll(async () => {
  bed = await startEcsTestbed();
  d = bed.daemon;
}, 60_000);

afterAll(async () => {
  await bed?.close();
});

const { create } = containerCalls(() => d, BUSYBOX_IMAGE);

interface Entry {
  name: string;
  type: string;
  mode: number;
  mtime: number;
  content: string;
  linkname?: string;
}

async function pack(entries: Entry[]): Promise<Buffer> {
  const p = tar.pack();
  for (const e of entries) p.entry({ name: e.name, type: e.type as "file", mode: e.mode, mtime: new Date(e.mtime), linkname: e.linkname }, e.content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function unpack(data: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  const x = tar.extract();
  x.on("entry", (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      out.push({ name: h.name, type: h.type!, mode: h.mode!, mtime: h.mtime!.getTime(), content: Buffer.concat(chunks).toString(), ...(h.linkname ? { linkname: h.linkname } : {}) });
      next();
    });
  });
  const done = new Promise((resolve, reject) => x.on("finish", resolve).on("error", reject));
  Readable.from([data]).pipe(x);
  await done;
  return out;
}

describe("docker cp on the ecs backend", () => {
  it("copies a file and a directory into a running task and back out, with names, modes and times", async () => {
    const id = await create({ Cmd: ["sleep", "1000"] });
    expect((await d.request("POST", `/containers/${id}/start`)).status).toBe(204);
    const sent: Entry[] = [
      { name: "notes.txt", type: "file", mode: 0o640, mtime: 1_000_000_000_000, content: "line one\nline two\n" },
      { name: "tree/", type: "directory", mode: 0o750, mtime: 1_100_000_000_000, content: "" },
      { name: "tree/run.sh", type: "file", mode: 0o4755, mtime: 1_200_000_000_000, content: "#!/bin/sh\necho hi\n" },
      { name: "tree/link", type: "symlink", mode: 0o777, mtime: 1_200_000_000_000, content: "", linkname: "run.sh" },
    ];
    const put = await d.request("PUT", `/containers/${id}/archive?path=/tmp`, await pack(sent), { "Content-Type": "application/x-tar" });
    expect(put.status, put.body).toBe(200);

    const head = await d.request("HEAD", `/containers/${id}/archive?path=/tmp/notes.txt`);
    expect(head.status).toBe(200);
    expect(JSON.parse(Buffer.from(head.headers["x-docker-container-path-stat"] as string, "base64").toString())).toMatchObject({ name: "notes.txt", size: 18, mode: 0o640, mtime: "2001-09-09T01:46:40Z" });

    const file = await d.request("GET", `/containers/${id}/archive?path=/tmp/notes.txt`);
    expect(file.status).toBe(200);
    expect(await unpack(file.raw)).toEqual([sent[0]]);

    const tree = await d.request("GET", `/containers/${id}/archive?path=/tmp/tree`);
    expect(tree.status).toBe(200);
    expect(await unpack(tree.raw)).toEqual([
      { ...sent[1], name: "tree/" },
      { ...sent[3], mtime: expect.any(Number) },
      sent[2],
    ]);
    const missing = await d.request("GET", `/containers/${id}/archive?path=/tmp/nothing`);
    expect(missing.status).toBe(404);
    expect((await d.request("POST", `/containers/${id}/kill`)).status).toBe(204);
  });

  it("answers 501 when the container's task is not running, and for diff, commit and export", async () => {
    const created = await create({ Cmd: ["sleep", "1000"] });
    const r = await d.request("GET", `/containers/${created}/archive?path=/etc`);
    expect(r.status).toBe(501);
    expect(r.json().message).toBe("copying files into and out of a container that is not running is not supported by the ecs backend");

    const exited = await create({ Cmd: ["true"] });
    expect((await d.request("POST", `/containers/${exited}/start`)).status).toBe(204);
    expect((await d.request("POST", `/containers/${exited}/wait`)).json().StatusCode).toBe(0);
    expect((await d.request("PUT", `/containers/${exited}/archive?path=/tmp`, await pack([]), { "Content-Type": "application/x-tar" })).status).toBe(501);

    const running = await create({ Cmd: ["sleep", "1000"] });
    expect((await d.request("POST", `/containers/${running}/start`)).status).toBe(204);
    const diff = await d.request("GET", `/containers/${running}/changes`);
    expect(diff.status).toBe(501);
    expect(diff.json().message).toMatch(/the ecs backend cannot list a container's changes/);
    const commit = await d.request("POST", `/commit?container=${running}`, "{}", json);
    expect(commit.status).toBe(501);
    expect(commit.json().message).toMatch(/the ecs backend cannot list a container's changes/);
    const exported = await d.request("GET", `/containers/${running}/export`);
    expect(exported.status).toBe(501);
    expect(exported.json().message).toBe("exporting containers is not supported by the ecs backend");
    expect((await d.request("POST", `/containers/${running}/kill`)).status).toBe(204);
  });
});
