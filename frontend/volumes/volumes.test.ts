import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";

let d: TestDaemon;
let allowed: string;
let outside: string;
beforeAll(async () => {
  allowed = mkdtempSync(join(os.tmpdir(), "sockerless-bind-"));
  outside = mkdtempSync(join(os.tmpdir(), "sockerless-outside-"));
  writeFileSync(join(outside, "secret"), "host secret\n");
  d = await startTestDaemon({}, { bindRoots: [allowed] });
  await loadBusybox(d);
});
afterAll(async () => {
  await d.close();
  rmSync(allowed, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const json = { "Content-Type": "application/json" };
const post = (path: string, body?: object) => d.request("POST", path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : json);
const create = (name: string, body: object) => post(`/containers/create?name=${name}`, { Image: BUSYBOX_IMAGE, ...body });

/** Runs a container to its end and returns its output and exit code. */
async function run(name: string, body: object): Promise<{ code: number; out: string }> {
  const created = await create(name, body);
  expect(created.status, created.body).toBe(201);
  const waited = post(`/containers/${name}/wait?condition=next-exit`);
  expect((await post(`/containers/${name}/start`)).status).toBe(204);
  const code = (await waited).json().StatusCode;
  const logs = await d.request("GET", `/containers/${name}/logs?stdout=1&stderr=1`);
  return { code, out: logs.raw.length ? demux(logs.raw) : "" };
}

function demux(raw: Buffer): string {
  let out = "";
  for (let i = 0; i + 8 <= raw.length; ) {
    const n = raw.readUInt32BE(i + 4);
    out += raw.subarray(i + 8, i + 8 + n).toString();
    i += 8 + n;
  }
  return out;
}

describe("volume API", () => {
  it("creates, returns the existing one for a known name, inspects, lists and removes", async () => {
    const first = await post("/volumes/create", { Name: "data1", Labels: { a: "b" } });
    expect(first.status).toBe(201);
    expect(first.json()).toMatchObject({ Name: "data1", Driver: "local", Labels: { a: "b" }, Scope: "local", Options: null, Mountpoint: join(d.dataDir, "volumes", "data1", "_data") });
    const again = await post("/volumes/create", { Name: "data1", Labels: { c: "d" } });
    expect(again.json().Labels).toEqual({ a: "b" });
    const list = (await d.request("GET", `/volumes?filters=${encodeURIComponent('{"label":["a=b"]}')}`)).json();
    expect(list.Volumes.map((v: any) => v.Name)).toEqual(["data1"]);
    expect(list.Warnings).toBeNull();
    expect((await d.request("DELETE", "/volumes/data1")).status).toBe(204);
    expect((await d.request("GET", "/volumes/data1")).json()).toEqual({ message: "get data1: no such volume" });
  });

  it("refuses names that could leave the volumes directory, as dockerd words it", async () => {
    const bad = await post("/volumes/create", { Name: "../x" });
    expect(bad.status).toBe(400);
    expect(bad.json().message).toContain('"../x" includes invalid characters for a local volume name');
    expect((await post("/volumes/create", { Name: "a" })).json().message).toBe("create a: volume name is too short, names should be at least two alphanumeric characters");
  });

  it("checks driver options as the local driver does", async () => {
    expect((await post("/volumes/create", { Name: "o1", DriverOpts: { foo: "bar" } })).json().message).toBe('create o1: invalid option: "foo"');
    expect((await post("/volumes/create", { Name: "o1", DriverOpts: { type: "tmpfs" } })).json().message).toBe('create o1: missing required option: "device"');
    expect((await post("/volumes/create", { Name: "o1", DriverOpts: { type: "nfs", device: ":/x", o: "addr=1.2.3.4" } })).status).toBe(501);
    const outsideBind = await post("/volumes/create", { Name: "o1", DriverOpts: { type: "none", o: "bind", device: outside } });
    expect(outsideBind.status).toBe(400);
    expect(outsideBind.json().message).toContain("--bind-root");
  });

  it("prunes only anonymous unused volumes unless all is set", async () => {
    await post("/volumes/create", { Name: "keepme" });
    const anon = (await post("/volumes/create", {})).json();
    expect(anon.Labels).toEqual({ "com.docker.volume.anonymous": "" });
    const pruned = (await post("/volumes/prune")).json();
    expect(pruned.VolumesDeleted).toEqual([anon.Name]);
    const all = (await post(`/volumes/prune?filters=${encodeURIComponent('{"all":["true"]}')}`)).json();
    expect(all.VolumesDeleted).toContain("keepme");
  });
});

describe("mounts", () => {
  it("shares a named volume between containers, running or not", async () => {
    const writer = await run("vw", { Cmd: ["sh", "-c", "echo hello > /data/f"], HostConfig: { Binds: ["shared:/data"] } });
    expect(writer.code).toBe(0);
    const reader = await run("vr", { Cmd: ["cat", "/data/f"], HostConfig: { Binds: ["shared:/data:ro"] } });
    expect(reader.out).toBe("hello\n");
    expect(readFileSync(join(d.dataDir, "volumes", "shared", "_data", "f"), "utf8")).toBe("hello\n");
    const inspect = (await d.request("GET", "/containers/vr/json")).json();
    expect(inspect.Mounts).toEqual([{ Type: "volume", Name: "shared", Source: join(d.dataDir, "volumes", "shared", "_data"), Destination: "/data", Driver: "local", Mode: "ro", RW: false, Propagation: "" }]);
    const inUse = await d.request("DELETE", "/volumes/shared");
    expect(inUse.status).toBe(409);
    expect(inUse.json().message).toMatch(/^remove shared: volume is in use - \[[0-9a-f]{64} [0-9a-f]{64}\]$/);
  });

  it("a running container sees another's writes", async () => {
    await create("watcher", { Cmd: ["sh", "-c", "while [ ! -f /v/flag ]; do sleep 0.05; done; cat /v/flag"], HostConfig: { Binds: ["live:/v"] } });
    const waited = post("/containers/watcher/wait?condition=next-exit");
    await post("/containers/watcher/start");
    const writer = await run("flagger", { Cmd: ["sh", "-c", "echo seen > /v/flag"], HostConfig: { Binds: ["live:/v"] } });
    expect(writer.code).toBe(0);
    expect((await waited).json().StatusCode).toBe(0);
    const logs = await d.request("GET", "/containers/watcher/logs?stdout=1");
    expect(demux(logs.raw)).toBe("seen\n");
  });

  it("enforces read-only mounts", async () => {
    const r = await run("ro", { Cmd: ["sh", "-c", "echo x > /data/f"], HostConfig: { Binds: ["rovol:/data:ro"] } });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/read-only/i);
  });

  it("copies the image's content into a new volume on first use, unless nocopy", async () => {
    const copied = await run("cp1", { Cmd: ["ls", "/etc"], HostConfig: { Binds: ["etcvol:/etc"] } });
    expect(copied.code).toBe(0);
    const listed = await run("cp2", { Cmd: ["cat", "/etc/passwd"], HostConfig: { Binds: ["etcvol:/etc"] } });
    expect(listed.out).toContain("root:");
    const empty = await run("cp3", { Cmd: ["cat", "/etc/passwd"], HostConfig: { Mounts: [{ Type: "volume", Source: "nocopyvol", Target: "/etc", VolumeOptions: { NoCopy: true } }] } });
    expect(empty.code).not.toBe(0);
  });

  it("gives Config.Volumes anonymous volumes that rm -v removes", async () => {
    await create("anon", { Cmd: ["true"], Volumes: { "/scratch": {} } });
    const m = (await d.request("GET", "/containers/anon/json")).json().Mounts;
    expect(m).toHaveLength(1);
    expect(m[0].Name).toMatch(/^[0-9a-f]{64}$/);
    const v = (await d.request("GET", `/volumes/${m[0].Name}`)).json();
    expect(v.Labels).toEqual({ "com.docker.volume.anonymous": "" });
    expect((await d.request("DELETE", "/containers/anon?v=1")).status).toBe(204);
    expect((await d.request("GET", `/volumes/${m[0].Name}`)).status).toBe(404);
  });

  it("tmpfs mounts start empty on each run", async () => {
    const first = await run("tm", { Cmd: ["sh", "-c", "ls -A /t; echo x > /t/f"], HostConfig: { Mounts: [{ Type: "tmpfs", Target: "/t" }] } });
    expect(first.out).toBe("");
    const waited = post("/containers/tm/wait?condition=next-exit");
    await post("/containers/tm/start");
    await waited;
    const logs = await d.request("GET", "/containers/tm/logs?stdout=1");
    expect(demux(logs.raw)).toBe("");
  });

  it("binds host directories under a permitted root only", async () => {
    writeFileSync(join(allowed, "in"), "inside\n");
    const ok = await run("b1", { Cmd: ["cat", "/h/in"], HostConfig: { Binds: [`${allowed}:/h`] } });
    expect(ok.out).toBe("inside\n");
    const refused = await create("b2", { HostConfig: { Binds: [`${outside}:/h`] } });
    expect(refused.status).toBe(400);
    expect(refused.json().message).toContain("--bind-root");
    // A symlink inside the root that points out of it is judged by where it leads.
    symlinkSync(outside, join(allowed, "escape"));
    expect((await create("b3", { HostConfig: { Binds: [`${join(allowed, "escape")}:/h`] } })).status).toBe(400);
    expect((await create("b4", { HostConfig: { Binds: [`${allowed}/../${outside.split("/").pop()}:/h`] } })).status).toBe(400);
  });

  it("never follows a symlink in a volume out of the container", async () => {
    mkdirSync(join(allowed, "vol"), { recursive: true });
    symlinkSync(outside, join(allowed, "vol", "out"));
    symlinkSync(join(outside, "secret"), join(allowed, "vol", "secret"));
    const r = await run("sl", { Cmd: ["sh", "-c", "cat /h/secret; ls /h/out; echo pwn > /h/out/new"], HostConfig: { Binds: [`${join(allowed, "vol")}:/h`] } });
    expect(r.out).not.toContain("host secret");
    expect(() => readFileSync(join(outside, "new"))).toThrow();
  });

  it("refuses bad mount specifications as dockerd does", async () => {
    const dup = await create("bad1", { HostConfig: { Binds: ["a1:/x", "a2:/x"] } });
    expect(dup.json()).toEqual({ message: "Duplicate mount point: /x" });
    expect((await create("bad2", { HostConfig: { Binds: ["vv:x"] } })).json().message).toBe(`invalid volume specification: 'vv:x': invalid mount config for type "volume": invalid mount path: 'x' mount path must be absolute`);
    expect((await create("bad3", { HostConfig: { Mounts: [{ Type: "tmpfs", Target: "/x", Source: "a" }] } })).json().message).toBe('invalid mount config for type "tmpfs": field Source must not be specified');
    expect((await create("bad4", { HostConfig: { Binds: ["/x:rw"] } })).json().message).toBe("invalid volume specification: '/x:rw'");
    expect((await create("bad5", { HostConfig: { Mounts: [{ Type: "volume", Target: "/" }] } })).json().message).toBe(`invalid mount config for type "volume": invalid specification: destination can't be '/'`);
  });

  it("docker cp into a mounted path lands in the volume", async () => {
    await create("cpv", { Cmd: ["true"], HostConfig: { Binds: ["cpvol:/data"] } });
    const tar = await import("tar-stream");
    const pack = tar.pack();
    pack.entry({ name: "copied.txt" }, "via cp\n");
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const put = await d.request("PUT", "/containers/cpv/archive?path=/data", Buffer.concat(chunks), { "Content-Type": "application/x-tar" });
    expect(put.status).toBe(200);
    expect(readFileSync(join(d.dataDir, "volumes", "cpvol", "_data", "copied.txt"), "utf8")).toBe("via cp\n");
  });

  it("reports volumes with their size and users in system df", async () => {
    const df = (await d.request("GET", "/system/df")).json();
    const shared = df.Volumes.find((v: any) => v.Name === "shared");
    expect(shared.UsageData).toEqual({ Size: 6, RefCount: 2 });
  });
});
