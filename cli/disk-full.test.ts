import Database from "better-sqlite3";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../conformance/images/busybox.js";
import { packageRoot } from "../engine/package-info.js";
import { MEDIA } from "../engine/registry/manifest.js";
import { TestRegistry } from "../engine/registry/testing.js";

// The daemon's data directory on a small tmpfs, filled by real work: images
// that do not fit, a container writing until the disk is full, a copy into
// it. Each fails with dockerd's words while the daemon goes on serving; once
// the space is freed everything works again, and nothing is left corrupt or
// half-written, across a restart too.

const main = join(packageRoot, "dist", "cli", "main.js");
const root = mkdtempSync(join(os.tmpdir(), "sockerless-disk-full-"));
const data = join(root, "data");
const sock = join(root, "api.sock");
const SIZE_MB = 40;
let mounted = false;
let daemon: ChildProcess | undefined;
let registry: TestRegistry;
/** What a daemon that died under the test printed. */
let crashed = "";

const noSpace = /^write \/.+: no space left on device$/;

beforeAll(async () => {
  mkdirSync(data);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${SIZE_MB}m`, "tmpfs", data], { stdio: "pipe" });
  } catch (err) {
    throw new Error(`the disk-full test mounts a ${SIZE_MB} MB tmpfs at ${data} and needs root for it: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}`);
  }
  mounted = true;
  registry = await new TestRegistry().start();
});
afterAll(async () => {
  daemon?.kill("SIGKILL");
  await registry?.close();
  if (mounted) execFileSync("umount", ["-l", data]);
  rmSync(root, { recursive: true, force: true });
});

async function serve(): Promise<void> {
  const child = spawn(process.execPath, [main, "serve", "--data", data, "-H", `unix://${sock}`, "--log-level", "silent"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`daemon exited ${code}: ${stderr}`)));
  });
  // A daemon that dies under the test (an uncaught error) fails it with what it printed.
  child.once("exit", (code, signal) => {
    if (daemon === child) crashed = `daemon exited (${code ?? signal}): ${stderr}`;
  });
  daemon = child;
}

async function stop(): Promise<void> {
  const child = daemon!;
  daemon = undefined;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

interface Answer {
  status: number;
  body: string;
  json(): any;
}

/**
 * A request whose body may be cut off by an early answer: the daemon refuses
 * an archive before reading all of it, as dockerd does, and the client's
 * write then fails while its answer is already in.
 */
function api(method: string, path: string, body?: Buffer | object): Promise<Answer> {
  expect(crashed).toBe("");
  return new Promise((resolve, reject) => {
    const raw = Buffer.isBuffer(body) ? body : body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const type = Buffer.isBuffer(body) ? "application/x-tar" : "application/json";
    const req = http.request({ socketPath: sock, method, path, agent: false, headers: { Host: "localhost", "Content-Type": type } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
      });
    });
    let answered = false;
    req.on("response", () => (answered = true));
    req.on("socket", (s) => s.on("error", () => {}));
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    req.end(raw);
  });
}

/** The error a progress stream (load, pull) ends with, or the refusal before it began. */
function streamError(r: Answer): string {
  if (r.status !== 200) return r.json().message;
  const failed = r.body
    .split(/\r?\n/)
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((l) => l.error);
  return failed?.error ?? "";
}

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(size.toString(8).padStart(11, "0") + "\0", 124);
  h.write("00000000000\0", 136);
  h.write("0", 156);
  h.write("ustar\0" + "00", 257);
  h.write("        ", 148);
  h.write(h.reduce((a, b) => a + b, 0).toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}
const tar = (files: Record<string, Buffer>) =>
  Buffer.concat([...Object.entries(files).flatMap(([name, bytes]) => [header(name, bytes.length), bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)]), Buffer.alloc(1024)]);
const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
/** A layer of incompressible bytes, so its size on disk is what it says. */
const randomLayer = (mb: number) => tar({ [`blob-${randomBytes(4).toString("hex")}`]: randomBytes(mb * 1024 * 1024) });

/** A docker-archive of one image made of these layers. */
function imageArchive(tag: string, layers: Buffer[]): Buffer {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Cmd: ["sh"] }, rootfs: { type: "layers", diff_ids: layers.map(sha256) } }));
  const files: Record<string, Buffer> = {
    "manifest.json": Buffer.from(JSON.stringify([{ Config: "config.json", RepoTags: [tag], Layers: layers.map((_, i) => `${i}/layer.tar`) }])),
    "config.json": config,
  };
  layers.forEach((l, i) => (files[`${i}/layer.tar`] = l));
  return tar(files);
}

/** Plants an image of these layers (gzipped) in the test registry. */
function plant(repo: string, tag: string, layers: Buffer[]): void {
  const blobs = layers.map((l) => gzipSync(l, { level: 1 }));
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: layers.map(sha256) } }));
  const configDigest = registry.putBlob(repo, config);
  registry.putManifest(
    repo,
    tag,
    {
      schemaVersion: 2,
      mediaType: MEDIA.dockerManifest,
      config: { mediaType: MEDIA.dockerConfig, size: config.length, digest: configDigest },
      layers: blobs.map((b) => ({ mediaType: MEDIA.dockerLayer, size: b.length, digest: registry.putBlob(repo, b) })),
    },
    MEDIA.dockerManifest,
  );
}

const freeMb = () => {
  const s = statfsSync(data);
  return (s.bavail * s.bsize) / (1024 * 1024);
};
const layerDirs = () => readdirSync(join(data, "layers")).filter((n) => /^[0-9a-f]{64}$/.test(n)).sort();
const leftovers = () => [...readdirSync(join(data, "layers", "tmp")), ...(existsSync(join(data, "tmp")) ? readdirSync(join(data, "tmp")) : [])];

/** What must hold whatever failed: every listed image's layers present, every layer directory some image's, nothing half-written. */
async function consistent(): Promise<{ images: string[]; containers: string[] }> {
  const images = (await api("GET", "/images/json?all=1")).json() as { Id: string }[];
  const used = new Set<string>();
  for (const img of images) {
    const inspect = await api("GET", `/images/${img.Id}/json`);
    expect(inspect.status).toBe(200);
    for (const diffId of inspect.json().RootFS.Layers as string[]) {
      used.add(diffId.slice(7));
      expect(existsSync(join(data, "layers", diffId.slice(7), "index.json")), diffId).toBe(true);
    }
  }
  expect(layerDirs()).toEqual([...used].sort());
  expect(leftovers()).toEqual([]);
  const containers = ((await api("GET", "/containers/json?all=1")).json() as { Id: string }[]).map((c) => c.Id).sort();
  const sandboxDirs = join(data, "sandbox", "containers");
  expect(existsSync(sandboxDirs) ? readdirSync(sandboxDirs).sort() : []).toEqual(containers);
  return { images: images.map((i) => i.Id).sort(), containers };
}

async function run(cmd: string): Promise<{ id: string; exitCode: number; logs: string }> {
  const created = await api("POST", "/containers/create", { Image: BUSYBOX_IMAGE, Cmd: ["sh", "-c", cmd] });
  expect(created.status, created.body).toBe(201);
  const id = created.json().Id;
  expect((await api("POST", `/containers/${id}/start`)).status).toBe(204);
  const exitCode = (await api("POST", `/containers/${id}/wait`)).json().StatusCode;
  const logs = (await api("GET", `/containers/${id}/logs?stdout=1&stderr=1`)).body.replace(/[\0-\x08]/g, "");
  return { id, exitCode, logs };
}

describe("a daemon whose disk fills up", () => {
  let filler = "";
  let before: { images: string[]; containers: string[] };
  const small = randomLayer(4);

  it("refuses an image load, an import and a pull that do not fit, with dockerd's words, and keeps nothing of them", async () => {
    const busybox = join(root, "busybox.tar");
    await buildBusyboxImage(busybox);
    await serve();
    expect(streamError(await api("POST", "/images/load", readFileSync(busybox)))).toBe("");
    before = await consistent();
    const free = freeMb();
    expect(free).toBeGreaterThan(20);

    const tooBig = randomLayer(Math.ceil(free / 2) + 2);
    const load = await api("POST", "/images/load", imageArchive("too-big:load", [small, tooBig]));
    expect(streamError(load)).toMatch(noSpace);
    expect(await consistent()).toEqual(before);

    const imported = await api("POST", "/images/create?fromSrc=-&repo=too-big&tag=import", randomLayer(Math.ceil(free) + 2));
    expect(imported.status).toBe(500);
    expect(imported.json().message).toMatch(noSpace);
    expect(await consistent()).toEqual(before);

    plant("too-big", "pull", [randomLayer(1), small, tooBig]);
    const pulled = await api("POST", `/images/create?fromImage=${registry.host}/too-big&tag=pull`);
    expect(streamError(pulled)).toMatch(noSpace);
    expect(await consistent()).toEqual(before);
    expect(freeMb()).toBeCloseTo(free, -1);
  }, 20_000);

  it("lets a container fill the disk: its write fails with ENOSPC, it exits non-zero, and the daemon keeps serving", async () => {
    const r = await run("line=$(printf %04000d 0); yes $line > /big");
    filler = r.id;
    expect(r.exitCode).not.toBe(0);
    expect(r.logs).toMatch(/no space left on device/i);
    expect(freeMb()).toBeLessThan(1);

    expect((await api("GET", "/_ping")).body).toBe("OK");
    expect((await api("GET", "/containers/json?all=1")).json().map((c: { Id: string }) => c.Id)).toContain(filler);
    const state = (await api("GET", `/containers/${filler}/json`)).json().State;
    expect(state).toMatchObject({ Status: "exited", Running: false, ExitCode: r.exitCode });
    expect((await api("GET", `/containers/${filler}/logs?stdout=1&stderr=1`)).status).toBe(200);
    expect((await api("GET", "/images/json")).status).toBe(200);

    const copy = await api("PUT", `/containers/${filler}/archive?path=/`, tar({ "copied.bin": randomBytes(1024 * 1024) }));
    expect(copy.status).toBe(500);
    expect(copy.json().message).toMatch(/no space left on device/);
    const load = await api("POST", "/images/load", imageArchive("while-full:load", [small]));
    expect(streamError(load)).toMatch(noSpace);
  }, 20_000);

  it("works again once the space is freed, and nothing is left corrupt or half-written", async () => {
    expect((await api("DELETE", `/containers/${filler}`)).status).toBe(204);
    expect(freeMb()).toBeGreaterThan(20);
    const after = await consistent();
    expect(after).toEqual(before);

    expect(streamError(await api("POST", "/images/load", imageArchive("fits:load", [small])))).toBe("");
    const ok = await run("echo fits > /f && cat /f");
    expect(ok).toMatchObject({ exitCode: 0, logs: "fits\n" });
    expect((await api("PUT", `/containers/${ok.id}/archive?path=/`, tar({ "copied.bin": randomBytes(1024 * 1024) }))).status).toBe(200);
    // A copy larger than the space left fails with dockerd's words; removing the container gives the space back.
    const free = freeMb();
    const tooBig = await api("PUT", `/containers/${ok.id}/archive?path=/`, tar({ "too-big.bin": randomBytes(Math.ceil(free + 2) * 1024 * 1024) }));
    expect(tooBig.status).toBe(500);
    expect(tooBig.json().message).toBe("write /too-big.bin: no space left on device");
    expect((await api("GET", "/_ping")).body).toBe("OK");
    expect((await api("DELETE", `/containers/${ok.id}`)).status).toBe(204);
    expect(freeMb()).toBeGreaterThan(free);
    expect((await api("DELETE", "/images/fits:load")).status).toBe(200);
    expect(await consistent()).toEqual(before);

    await stop();
    const db = new Database(join(data, "sockerless.db"), { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
    // A daemon started with less free space than its database reserves still serves, so that clients can free some.
    const ballast = join(data, "ballast");
    writeFileSync(ballast, Buffer.alloc(Math.floor(freeMb() - 1) * 1024 * 1024));
    expect(freeMb()).toBeLessThan(2);
    await serve();
    expect((await api("GET", "/_ping")).body).toBe("OK");
    expect(await consistent()).toEqual(before);
    await stop();
    rmSync(ballast);

    await serve();
    expect((await api("GET", "/_ping")).body).toBe("OK");
    expect(await consistent()).toEqual(before);
    expect((await run("echo again")).logs).toBe("again\n");
  }, 20_000);
});
