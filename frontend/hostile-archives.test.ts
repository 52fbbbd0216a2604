import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join, relative } from "node:path";
import { createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../conformance/images/busybox.js";
import { GZIP_MAX_RATIO } from "../engine/images/expansion-limit.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "./testing.js";

// Archives built to break out of where they are unpacked, each sent to every
// endpoint that takes a tar: the container archive (docker cp), image load,
// import and the build context. Each is refused with a clear error, or — where
// dockerd unpacks it inside the container's root too — confined there; either
// way the daemon's store gains nothing and the host path the archive aims at
// stays untouched.

let d: TestDaemon;
let canary: string;
let container: string;
let bomb: Buffer;

/** One tar header block, ustar; `type` is the typeflag character. */
function header(e: { name: string; type?: string; size?: number; linkname?: string; devmajor?: number; devminor?: number }): Buffer {
  if (e.name.length > 100 || (e.linkname ?? "").length > 100) throw new Error(`${e.name}: too long for a ustar header`);
  const h = Buffer.alloc(512);
  h.write(e.name, 0, 100);
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write((e.size ?? 0).toString(8).padStart(11, "0") + "\0", 124);
  h.write("00000000000\0", 136);
  h.write(e.type ?? "0", 156);
  h.write(e.linkname ?? "", 157, 100);
  h.write("ustar\0" + "00", 257);
  h.write((e.devmajor ?? 0).toString(8).padStart(7, "0") + "\0", 329);
  h.write((e.devminor ?? 0).toString(8).padStart(7, "0") + "\0", 337);
  h.write("        ", 148);
  h.write(h.reduce((a, b) => a + b, 0).toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

const padded = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
const entry = (e: { name: string; type?: string; linkname?: string; data?: string | Buffer; devmajor?: number; devminor?: number }) => {
  const data = Buffer.from(e.data ?? "");
  return Buffer.concat([header({ ...e, size: data.length }), padded(data)]);
};
const tar = (...entries: Buffer[]) => Buffer.concat([...entries, Buffer.alloc(1024)]);

/** A PAX extended header block with its records. */
function pax(records: Record<string, string>): Buffer {
  let body = "";
  for (const [k, v] of Object.entries(records)) {
    const rec = ` ${k}=${v}\n`;
    let n = Buffer.byteLength(rec) + 1;
    while (String(n).length + Buffer.byteLength(rec) !== n) n = String(n).length + Buffer.byteLength(rec);
    body += n + rec;
  }
  return Buffer.concat([header({ name: "PaxHeader", type: "x", size: Buffer.byteLength(body) }), padded(Buffer.from(body))]);
}

/** A tar of one file of zeros far larger than the gzip limit, compressed about 1000 to 1. */
async function gzipBomb(zeros: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gz.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => gz.once("end", r));
  gz.write(header({ name: "bomb", size: zeros }));
  const mib = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < zeros / mib.length; i++) if (!gz.write(mib)) await new Promise((r) => gz.once("drain", r));
  gz.end(Buffer.alloc(1024));
  await ended;
  return Buffer.concat(chunks);
}

/** "load" sends the attack as an image's layer, "archive" as the image archive itself. */
type Endpoint = "cp" | "load" | "archive" | "import" | "build";
/** What an endpoint does with an attack: a refusal (status and message), or "confined" where dockerd accepts it inside the root. */
type Outcome = { status: number; message: RegExp } | "confined";

interface Attack {
  name: string;
  tar: () => Buffer;
  expect: Record<Endpoint, Outcome>;
  /** Where a confined attack's file lands inside the container (for cp into /tmp). */
  landsAt?: () => string;
}

const up = "../".repeat(12);
const refused = (status: number, message: RegExp): Outcome => ({ status, message });
const bombMessage = new RegExp(`expands more than ${GZIP_MAX_RATIO} times its compressed size beyond 64 MiB.*decompression bomb`);

const attacks = (): Attack[] => [
  {
    name: "a ../ path traversal",
    tar: () => tar(entry({ name: `${up}${canary.slice(1)}/trav`, data: "x" })),
    landsAt: () => `${canary}/trav`,
    expect: {
      cp: "confined",
      load: refused(400, /climbs out of the archive root/),
      archive: refused(400, /climbs out of the archive root/),
      import: refused(400, /climbs out of the archive root/),
      build: "confined",
    },
  },
  {
    name: "an absolute path",
    tar: () => tar(entry({ name: `${canary}/abs`, data: "x" })),
    landsAt: () => `/tmp${canary}/abs`,
    expect: { cp: "confined", load: "confined", archive: refused(400, /^not an image archive: it has neither manifest.json nor index.json$/), import: "confined", build: "confined" },
  },
  {
    name: "a file written through an absolute symlink out",
    tar: () => tar(entry({ name: "esc", type: "2", linkname: canary }), entry({ name: "esc/through", data: "x" })),
    landsAt: () => `${canary}/through`,
    expect: {
      cp: "confined",
      load: refused(400, /refusing tar entry "esc\/through": it would be written through the symlink "\/esc"/),
      // Symlinks of an image archive are only followed to name its members: the file lands in the private unpacking directory.
      archive: refused(400, /^not an image archive: it has neither manifest.json nor index.json$/),
      import: refused(400, /refusing tar entry "esc\/through": it would be written through the symlink "\/esc"/),
      build: refused(400, /refusing build context entry "esc\/through": it would be written through the symlink "esc"/),
    },
  },
  {
    name: "a file written through a relative symlink out",
    tar: () => tar(entry({ name: "esc2", type: "2", linkname: `${up}${canary.slice(1)}` }), entry({ name: "esc2/through", data: "x" })),
    landsAt: () => `${canary}/through`,
    expect: {
      cp: "confined",
      load: refused(400, /written through the symlink "\/esc2"/),
      archive: refused(400, /^refusing symlink "esc2" to "(\.\.\/)+tmp\/sockerless-canary-\w+": it points out of the archive root$/),
      import: refused(400, /written through the symlink "\/esc2"/),
      build: refused(400, /written through the symlink "esc2"/),
    },
  },
  {
    name: "a hard link out of the root",
    tar: () => tar(entry({ name: "hl", type: "1", linkname: `${up}etc/hostname` })),
    expect: {
      cp: refused(500, /invalid hardlink "\/etc\/hostname" -> "(\.\.\/)+etc\/hostname"/),
      load: refused(400, /refusing hard link "hl": its target climbs out of the archive root/),
      archive: refused(400, /^unexpected link "hl" in an image archive$/),
      import: refused(400, /refusing hard link "hl": its target climbs out of the archive root/),
      build: refused(400, /refusing hard link "hl" to "(\.\.\/)+etc\/hostname": not a file earlier in the build context/),
    },
  },
  {
    name: "a hard link to an absolute host path",
    tar: () => tar(entry({ name: "hl2", type: "1", linkname: "/etc/hostname" })),
    expect: {
      cp: refused(500, /link \/tmp\/etc\/hostname \/tmp\/hl2: no such file or directory/),
      load: refused(400, /refusing hard link "hl2" to "\/etc\/hostname": not a file earlier in the same layer/),
      archive: refused(400, /^unexpected link "hl2" in an image archive$/),
      import: refused(400, /refusing hard link "hl2" to "\/etc\/hostname": not a file earlier in the same layer/),
      build: refused(400, /refusing hard link "hl2" to "\/etc\/hostname": not a file earlier in the build context/),
    },
  },
  {
    name: "a device node",
    tar: () => tar(entry({ name: "null", type: "3", devmajor: 1, devminor: 3 })),
    expect: {
      cp: refused(501, /tar entry "null" is a character device, which the sandbox backend cannot create/),
      load: refused(400, /refusing device node "null": device nodes are not supported in layers/),
      archive: refused(400, /^unexpected character-device "null" in an image archive$/),
      import: refused(400, /refusing device node "null": device nodes are not supported in layers/),
      build: refused(501, /build context entry "null" is a character device, which the builder cannot copy/),
    },
  },
  {
    name: "a PAX header of 6 MB",
    tar: () => tar(pax({ comment: "x".repeat(6 << 20) }), entry({ name: "f", data: "x" })),
    expect: {
      cp: refused(500, /^archive\/tar: header field too long$/),
      load: refused(500, /^archive\/tar: header field too long$/),
      archive: refused(500, /^archive\/tar: header field too long$/),
      import: refused(500, /^archive\/tar: header field too long$/),
      build: refused(400, /^failed to read the build context: archive\/tar: header field too long$/),
    },
  },
  {
    name: "a name of 100 KB",
    tar: () => tar(pax({ path: `dir/${"n".repeat(100 * 1024)}` }), entry({ name: "f", data: "x" })),
    expect: {
      cp: refused(500, /^open \/tmp\/dir\/n+…: file name too long$/),
      load: refused(400, /refusing tar entry "dir\/n+…": file name too long \(a path may have at most 4095 bytes\)/),
      archive: refused(400, /refusing tar entry "dir\/n+…": file name too long \(a path may have at most 4095 bytes\)/),
      import: refused(400, /refusing tar entry "dir\/n+…": file name too long \(a path may have at most 4095 bytes\)/),
      build: refused(400, /refusing build context entry "dir\/n+…": file name too long \(a path may have at most 4095 bytes\)/),
    },
  },
  {
    name: "a gzip bomb",
    tar: () => bomb,
    expect: { cp: refused(400, bombMessage), load: refused(400, bombMessage), archive: refused(400, bombMessage), import: refused(400, bombMessage), build: refused(400, bombMessage) },
  },
];

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A docker-archive whose one image's only layer is `layer`. */
function imageArchive(layer: Buffer): Buffer {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [sha256(layer)] } }));
  const manifest = JSON.stringify([{ Config: "config.json", RepoTags: ["hostile:layer"], Layers: ["layer/layer.tar"] }]);
  return tar(entry({ name: "manifest.json", data: manifest }), entry({ name: "config.json", data: config.toString() }), entry({ name: "layer/layer.tar", data: layer }));
}

/** Everything an attack must leave as it was: images, layers, containers and every file of the store but the target container's own. */
async function storeSnapshot() {
  const files = readdirSync(d.dataDir, { recursive: true, encoding: "utf8" })
    .filter((f) => !f.startsWith(join("sandbox", "containers", container)) && f !== "docker.sock")
    .sort();
  return {
    images: (await d.request("GET", "/images/json?all=1")).json().map((i: { Id: string }) => i.Id).sort(),
    containers: (await d.request("GET", "/containers/json?all=1")).json().map((c: { Id: string }) => c.Id).sort(),
    layers: d.engine.images.layers.list().sort(),
    files,
  };
}

/** Whether a path exists inside the container (HEAD of its archive). */
async function inContainer(path: string): Promise<boolean> {
  const r = await d.request("HEAD", `/containers/${container}/archive?path=${encodeURIComponent(path)}`);
  if (r.status !== 200 && r.status !== 404) throw new Error(`stat ${path}: ${r.status}`);
  return r.status === 200;
}

beforeAll(async () => {
  d = await startTestDaemon();
  canary = mkdtempSync(join(os.tmpdir(), "sockerless-canary-"));
  expect(relative(d.dataDir, canary).startsWith("..")).toBe(true);
  await loadBusybox(d);
  container = (await d.request("POST", "/containers/create", JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: ["true"] }), { "Content-Type": "application/json" })).json().Id;
  bomb = await gzipBomb(256 * 1024 * 1024);
  expect(bomb.length).toBeLessThan(1024 * 1024);
}, 30_000);
afterAll(async () => {
  await d?.close();
  rmSync(canary, { recursive: true, force: true });
});

/** Sends an attack to one endpoint: status and the error message, wherever the endpoint puts it. */
async function send(endpoint: Endpoint, body: Buffer): Promise<{ status: number; message: string; ok: boolean }> {
  const tarType = { "Content-Type": "application/x-tar" };
  if (endpoint === "cp") {
    const r = await d.request("PUT", `/containers/${container}/archive?path=/tmp`, body, tarType);
    return { status: r.status, message: r.status === 200 ? "" : r.json().message, ok: r.status === 200 };
  }
  if (endpoint === "import") {
    const r = await d.request("POST", "/images/create?fromSrc=-&repo=hostile&tag=import", body, tarType);
    return { status: r.status, message: r.status === 200 ? "" : r.json().message, ok: r.status === 200 };
  }
  if (endpoint === "load" || endpoint === "archive") {
    const r = await d.request("POST", "/images/load?quiet=1", body, tarType);
    if (r.status !== 200) return { status: r.status, message: r.json().message, ok: false };
    const error = r.body.split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.error);
    return { status: 200, message: error?.error ?? "", ok: !error };
  }
  const context = body === bomb ? bomb : Buffer.concat([entry({ name: "Dockerfile", data: `FROM ${BUSYBOX_IMAGE}\nCOPY . /ctx/\n` }), body]);
  const r = await d.request("POST", "/build?t=hostile:build&rm=1&forcerm=1", context, tarType);
  if (r.status !== 200) return { status: r.status, message: r.json().message, ok: false };
  const error = r.body.split("\r\n").join("\n").split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.error);
  return { status: 200, message: error?.error ?? "", ok: !error };
}

/** Removes what a confined attack made, so the store is compared with the one before it. */
async function forget(endpoint: Endpoint): Promise<void> {
  const ref = { load: "hostile:layer", archive: "", import: "hostile:import", build: "hostile:build", cp: "" }[endpoint];
  if (ref) expect((await d.request("DELETE", `/images/${ref}?force=1`)).status).toBe(200);
}

describe("hostile archives", () => {
  for (const endpoint of ["cp", "load", "archive", "import", "build"] as Endpoint[]) {
    describe(endpoint, () => {
      for (const attack of attacks()) {
        it(`${attack.name}`, async () => {
          const outcome = attack.expect[endpoint];
          const before = await storeSnapshot();
          const body = endpoint === "load" && attack.tar() !== bomb ? imageArchive(attack.tar()) : attack.tar();
          const r = await send(endpoint, body);
          if (outcome === "confined") {
            expect(r, r.message).toMatchObject({ ok: true });
            if (endpoint === "cp" && attack.landsAt) expect(await inContainer(attack.landsAt())).toBe(true);
            await forget(endpoint);
          } else {
            expect({ status: r.status, ok: r.ok }).toEqual({ status: outcome.status, ok: false });
            expect(r.message).toMatch(outcome.message);
            if (endpoint === "cp") expect(await inContainer("/tmp/bomb")).toBe(false);
          }
          expect(await storeSnapshot()).toEqual(before);
          expect(readdirSync(canary, { recursive: true })).toEqual([]);
          expect((await d.request("GET", "/_ping")).body).toBe("OK");
        }, 20_000);
      }
    });
  }
});
