import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import tar from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildBusyboxImage } from "../../conformance/images/busybox.js";
import { openState, type State } from "../state/db.js";
import { LayerStore } from "./layer.js";
import { loadImages } from "./load.js";
import { ImageStore } from "./store.js";
import { EventLog } from "../events/log.js";

let dir: string;
let state: State;
let store: ImageStore;
beforeEach(() => {
  dir = mkdtempSync(join(os.tmpdir(), "sockerless-images-"));
  state = openState(":memory:");
  store = new ImageStore(state.db, new LayerStore(join(dir, "layers")), new EventLog());
});
afterEach(() => {
  state.close();
  rmSync(dir, { recursive: true, force: true });
});

async function tarOf(entries: { name: string; data?: Buffer; type?: tar.Headers["type"]; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? "file", linkname: e.linkname, mode: 0o644 }, e.data ?? Buffer.alloc(0));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A docker-archive whose one layer is `layer`; the config names `diffId` (the true one unless given). */
async function archiveWith(layer: Buffer, diffId?: string): Promise<Buffer> {
  const real = `sha256:${createHash("sha256").update(layer).digest("hex")}`;
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [diffId ?? real] } }));
  return tarOf([
    { name: "config.json", data: config },
    { name: "l/layer.tar", data: layer },
    { name: "manifest.json", data: Buffer.from(JSON.stringify([{ Config: "config.json", RepoTags: ["evil:latest"], Layers: ["l/layer.tar"] }])) },
  ]);
}

const load = (archive: Buffer) => loadImages(store, Readable.from([archive]), join(dir, "tmp"));

function leftovers(): string[] {
  return [...readdirSync(join(dir, "layers")).filter((f) => f !== "tmp"), ...readdirSync(join(dir, "layers", "tmp")), ...readdirSync(join(dir, "tmp"))];
}

describe("docker load", () => {
  it("loads a docker-archive with the image ID Docker computes, once", async () => {
    const file = join(dir, "busybox.tar");
    const id = await buildBusyboxImage(file);
    expect(await loadImages(store, createReadStream(file), join(dir, "tmp"))).toEqual(["Loaded image: sockerless-test/busybox:latest"]);
    expect(store.resolve("sockerless-test/busybox").id).toBe(id);
    expect(store.resolve(id.slice(7, 19)).id).toBe(id);
    await loadImages(store, createReadStream(file), join(dir, "tmp"));
    expect(store.count()).toBe(1);
    const layers = store.resolve(id).config.rootfs.diff_ids;
    const index = store.layers.index(layers[0]);
    expect(index.entries["/bin/busybox"].type).toBe("file");
    expect(index.entries["/bin/sh"]).toMatchObject({ type: "symlink", link: "../bin/busybox" });
  });

  it("refuses hostile layers and keeps nothing of them", async () => {
    const hostile = [
      await archiveWith(await tarOf([{ name: "../escape", data: Buffer.from("x") }])),
      await archiveWith(await tarOf([{ name: "a/../../escape", data: Buffer.from("x") }])),
      await archiveWith(await tarOf([{ name: "dev/sda", type: "block-device" }])),
      await archiveWith(await tarOf([{ name: "link", type: "link", linkname: "../../etc/passwd" }])),
      await archiveWith(await tarOf([{ name: "ok", data: Buffer.from("x") }]), `sha256:${"0".repeat(64)}`),
      await archiveWith(
        await tarOf([
          { name: "etc", type: "symlink", linkname: "/etc" },
          { name: "etc/passwd", data: Buffer.from("x") },
        ]),
      ),
    ];
    const messages: string[] = [];
    for (const archive of hostile) {
      await expect(load(archive)).rejects.toThrow();
      await load(archive).catch((e: Error) => messages.push(e.message));
    }
    expect(messages[0]).toMatch(/climbs out of the archive root/);
    expect(messages[2]).toMatch(/device nodes are not supported/);
    expect(messages[3]).toMatch(/hard link/);
    expect(messages[4]).toMatch(/does not match its digest/);
    expect(messages[5]).toMatch(/through the symlink/);
    expect(store.count()).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it("refuses archives that are not image archives", async () => {
    await expect(load(await tarOf([{ name: "hello.txt", data: Buffer.from("hi") }]))).rejects.toThrow(/neither manifest.json nor index.json/);
    await expect(load(Buffer.from("not a tar at all, just text that is long enough to be a header".repeat(10)))).rejects.toThrow();
    expect(store.count()).toBe(0);
  });
});
