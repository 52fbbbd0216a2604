import http from "node:http";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  const r = await loadBusybox(d);
  expect(r.body).toContain(`Loaded image: ${BUSYBOX_IMAGE}`);
});
afterAll(() => d.close());

function raw(method: string, path: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, method, path, headers: { Host: "localhost", "Content-Type": "application/x-tar" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

type Entry = { name: string; type?: "file" | "directory" | "symlink" | "link"; data?: string; linkname?: string; mode?: number; uid?: number };

async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? "file", linkname: e.linkname, mode: e.mode, uid: e.uid ?? 0, gid: 0 };
    if ((e.type ?? "file") === "file") pack.entry(header, e.data ?? "");
    else pack.entry(header);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function readTar(buf: Buffer): Promise<{ name: string; type: string; linkname?: string | null; data: string; uid: number; mode: number }[]> {
  const out: { name: string; type: string; linkname?: string | null; data: string; uid: number; mode: number }[] = [];
  const ex = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        out.push({ name: h.name, type: h.type ?? "", linkname: h.linkname, data: Buffer.concat(chunks).toString(), uid: h.uid ?? 0, mode: h.mode ?? 0 });
        next();
      });
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  ex.end(buf);
  await done;
  return out;
}

const statOf = (r: { headers: http.IncomingHttpHeaders }) => JSON.parse(Buffer.from(String(r.headers["x-docker-container-path-stat"]), "base64").toString());

async function create(name: string, cmd: string[] = ["true"], extra: object = {}): Promise<string> {
  const r = await d.request("POST", `/containers/create?name=${name}`, JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: cmd, ...extra }), { "Content-Type": "application/json" });
  expect(r.status).toBe(201);
  return r.json().Id;
}

describe("archive stat (HEAD)", () => {
  it("describes files, directories and symlinks with Go's mode bits", async () => {
    await create("st");
    const file = await raw("HEAD", "/containers/st/archive?path=/etc/passwd");
    expect(file.status).toBe(200);
    expect(statOf(file)).toMatchObject({ name: "passwd", mode: 0o644, linkTarget: "" });
    expect(statOf(file).mtime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(statOf(await raw("HEAD", "/containers/st/archive?path=/bin"))).toMatchObject({ name: "bin", mode: 2 ** 31 + 0o755 });
    expect(statOf(await raw("HEAD", "/containers/st/archive?path=/bin/."))).toMatchObject({ name: "." });
    expect(statOf(await raw("HEAD", "/containers/st/archive?path=etc"))).toMatchObject({ name: "etc" });
    expect(statOf(await raw("HEAD", "/containers/st/archive?path=/"))).toMatchObject({ name: "/" });
    expect(statOf(await raw("HEAD", "/containers/st/archive?path=/bin/sh"))).toMatchObject({ name: "sh", mode: (1 << 27) + 0o777, linkTarget: "/bin/busybox" });
  });

  it("answers dockerd's errors", async () => {
    const missing = await d.request("GET", "/containers/st/archive?path=/nope");
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ message: "Could not find the file /nope in container st" });
    expect((await raw("HEAD", "/containers/st/archive?path=/nope")).status).toBe(404);
    expect((await d.request("GET", "/containers/st/archive")).json()).toEqual({ message: "bad parameter: path cannot be empty" });
    expect((await d.request("GET", "/containers/st/archive?path=/etc/passwd/")).status).toBe(500);
    expect((await d.request("GET", "/containers/nope/archive?path=/")).json()).toEqual({ message: "No such container: nope" });
  });
});

describe("archive get and put", () => {
  it("archives a file, a symlink itself and a directory under its base name", async () => {
    const file = await raw("GET", "/containers/st/archive?path=/etc/passwd");
    expect(file.headers["content-type"]).toBe("application/x-tar");
    const [passwd] = await readTar(file.body);
    expect(passwd).toMatchObject({ name: "passwd", type: "file" });
    expect(passwd.data).toContain("root:");
    expect(await readTar((await raw("GET", "/containers/st/archive?path=/bin/sh")).body)).toMatchObject([{ name: "sh", type: "symlink", linkname: "../bin/busybox" }]);
    const etc = (await readTar((await raw("GET", "/containers/st/archive?path=/etc")).body)).map((e) => e.name);
    expect(etc[0]).toBe("etc/");
    expect(etc).toContain("etc/passwd");
    const dot = (await readTar((await raw("GET", "/containers/st/archive?path=/etc/.")).body)).map((e) => e.name);
    expect(dot[0]).toBe("./");
    expect(dot).toContain("./passwd");
  });

  it("copies into a created container without starting it, and the run sees the files", async () => {
    await create("cpin", ["cat", "/tmp/in/hello.txt", "/tmp/in/sub/deep"]);
    const body = await makeTar([
      { name: "in/", type: "directory", mode: 0o750 },
      { name: "in/hello.txt", data: "hello\n", mode: 0o600, uid: 1234 },
      { name: "in/sub/deep", data: "deep\n" },
      { name: "in/again", type: "link", linkname: "in/hello.txt" },
    ]);
    const put = await raw("PUT", "/containers/cpin/archive?path=/tmp", body);
    expect(put.status).toBe(200);
    expect((await d.request("GET", "/containers/cpin/json")).json().State.Status).toBe("created");
    const listed = await readTar((await raw("GET", "/containers/cpin/archive?path=/tmp/in")).body);
    expect(listed.map((e) => [e.name, e.type])).toEqual([
      ["in/", "directory"],
      ["in/again", "file"],
      ["in/hello.txt", "link"],
      ["in/sub/", "directory"],
      ["in/sub/deep", "file"],
    ]);
    expect(listed[0].mode).toBe(0o750);
    expect(listed[1]).toMatchObject({ uid: 1234, mode: 0o600, data: "hello\n" });
    const wait = d.request("POST", "/containers/cpin/wait?condition=next-exit");
    expect((await d.request("POST", "/containers/cpin/start")).status).toBe(204);
    expect((await wait).json().StatusCode).toBe(0);
    expect((await d.request("GET", "/containers/cpin/logs?stdout=1")).body).toContain("hello\n");
    expect((await d.request("GET", "/containers/cpin/logs?stdout=1")).body).toContain("deep\n");
  });

  it("takes gzip and refuses what dockerd refuses", async () => {
    await create("cpx");
    const gz = gzipSync(await makeTar([{ name: "g.txt", data: "zipped" }]));
    expect((await raw("PUT", "/containers/cpx/archive?path=/root", gz)).status).toBe(200);
    expect((await readTar((await raw("GET", "/containers/cpx/archive?path=/root/g.txt")).body))[0].data).toBe("zipped");
    const one = await makeTar([{ name: "x", data: "1" }]);
    const missing = await raw("PUT", "/containers/cpx/archive?path=/nope", one);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString())).toEqual({ message: "Could not find the file /nope in container cpx" });
    const notDir = await raw("PUT", "/containers/cpx/archive?path=/etc/passwd", one);
    expect([notDir.status, JSON.parse(notDir.body.toString()).message]).toEqual([400, "extraction point is not a directory"]);
    const escape = await raw("PUT", "/containers/cpx/archive?path=/root", await makeTar([{ name: "a/../../escape", data: "x" }]));
    expect([escape.status, JSON.parse(escape.body.toString()).message]).toEqual([500, '"../escape" is outside of "/root"']);
    const link = await raw("PUT", "/containers/cpx/archive?path=/root", await makeTar([{ name: "sl", type: "symlink", linkname: "../../etc" }]));
    expect(JSON.parse(link.body.toString()).message).toBe('invalid symlink "/root/sl" -> "../../etc"');
    const hard = await raw("PUT", "/containers/cpx/archive?path=/root", await makeTar([{ name: "hl", type: "link", linkname: "../etc/passwd" }]));
    expect(JSON.parse(hard.body.toString()).message).toBe('invalid hardlink "/etc/passwd" -> "../etc/passwd"');
    expect((await raw("PUT", "/containers/cpx/archive?path=/root", Buffer.from("garbage\n"))).status).toBe(500);
    await raw("PUT", "/containers/cpx/archive?path=/root", await makeTar([{ name: "d/", type: "directory" }]));
    const clash = await raw("PUT", "/containers/cpx/archive?path=/root&noOverwriteDirNonDir=1", await makeTar([{ name: "d", data: "file" }]));
    expect(JSON.parse(clash.body.toString()).message).toBe('cannot overwrite directory "/root/d" with non-directory "/root"');
    expect((await raw("PUT", "/containers/cpx/archive?path=/root", await makeTar([{ name: "d", data: "file" }]))).status).toBe(200);
  });

  it("writes into a running container's live file system", async () => {
    await create("live", ["sh", "-c", "while [ ! -f /tmp/go ]; do sleep 0.05; done; cat /tmp/go"]);
    const wait = d.request("POST", "/containers/live/wait?condition=next-exit");
    await d.request("POST", "/containers/live/start");
    expect((await raw("PUT", "/containers/live/archive?path=/tmp", await makeTar([{ name: "go", data: "went\n" }]))).status).toBe(200);
    expect((await wait).json().StatusCode).toBe(0);
    expect((await d.request("GET", "/containers/live/logs?stdout=1")).body).toContain("went\n");
  });
});

describe("export and changes", () => {
  it("exports the merged file system", async () => {
    const r = await raw("GET", "/containers/cpx/export");
    expect(r.status).toBe(200);
    const names = (await readTar(r.body)).map((e) => e.name);
    expect(names).toContain("bin/busybox");
    expect(names).toContain("root/g.txt");
    expect(names).not.toContain("./");
  });

  it("leaves volume content out, keeping the mount point, as dockerd does", async () => {
    await create("vols", ["sh", "-c", "echo in-volume > /data/v && echo own > /own"], { HostConfig: { Binds: ["export-vol:/data"] } });
    const wait = d.request("POST", "/containers/vols/wait?condition=next-exit");
    await d.request("POST", "/containers/vols/start");
    expect((await wait).json().StatusCode).toBe(0);
    const names = (await readTar((await raw("GET", "/containers/vols/export")).body)).map((e) => e.name);
    expect(names).toContain("own");
    expect(names).toContain("data/");
    expect(names).not.toContain("data/v");
  });

  it("survives a client that leaves in the middle of an export", async () => {
    await new Promise<void>((resolve) => {
      const req = http.request({ socketPath: d.socket, method: "GET", path: "/containers/cpx/export", headers: { Host: "localhost" } }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => undefined);
      req.on("close", () => resolve());
      req.end();
    });
    expect((await d.request("GET", "/_ping")).body).toBe("OK");
    expect((await raw("GET", "/containers/cpx/export")).status).toBe(200);
  });

  it("lists changes as dockerd does, null when there are none", async () => {
    await create("fresh");
    expect((await d.request("GET", "/containers/fresh/changes")).body).toBe("null");
    await create("edits", ["sh", "-c", "mkdir -p /tmp/a/b && echo x > /tmp/a/b/c && rm /bin/ls && chmod 700 /home"]);
    const wait = d.request("POST", "/containers/edits/wait?condition=next-exit");
    await d.request("POST", "/containers/edits/start");
    expect((await wait).json().StatusCode).toBe(0);
    expect((await d.request("GET", "/containers/edits/changes")).json()).toEqual([
      { Path: "/bin", Kind: 0 },
      { Path: "/bin/ls", Kind: 2 },
      { Path: "/home", Kind: 0 },
      { Path: "/tmp", Kind: 0 },
      { Path: "/tmp/a", Kind: 1 },
      { Path: "/tmp/a/b", Kind: 1 },
      { Path: "/tmp/a/b/c", Kind: 1 },
    ]);
  });
});
