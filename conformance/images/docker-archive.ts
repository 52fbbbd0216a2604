import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";

/** One file system entry of a test image layer. */
export type LayerEntry =
  | { type: "dir"; path: string; mode?: number }
  | { type: "file"; path: string; data: Buffer; mode?: number }
  | { type: "symlink"; path: string; target: string };

export interface ImageSpec {
  repoTag: string;
  entries: LayerEntry[];
  config: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; WorkingDir?: string; Labels?: Record<string, string> };
  comment: string;
}

/** Every timestamp in test images is fixed, so the same sources give the same image ID. */
export const EPOCH = new Date("2026-01-01T00:00:00Z");

async function packTar(write: (pack: tar.Pack) => void): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  write(pack);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function layerTar(entries: LayerEntry[]): Promise<Buffer> {
  const sorted = [...entries].sort((a, b) => a.path.localeCompare(b.path));
  return packTar((pack) => {
    for (const e of sorted) {
      const base = { name: e.path.replace(/^\//, ""), mtime: EPOCH, uid: 0, gid: 0, uname: "root", gname: "root" };
      if (e.type === "dir") pack.entry({ ...base, name: base.name + "/", type: "directory", mode: e.mode ?? 0o755 });
      else if (e.type === "symlink") pack.entry({ ...base, type: "symlink", linkname: e.target, mode: 0o777 });
      else pack.entry({ ...base, type: "file", mode: e.mode ?? 0o644 }, e.data);
    }
  });
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/**
 * Writes a one-layer image in the `docker save` format (manifest.json,
 * config, layer), which both the reference engine and sockerless load.
 * Returns the image ID (the digest of its config).
 */
/** The config and manifest.json of a one-layer image whose layer tar has digest `layerHex`, as `docker save` writes them. */
export function imageMetadata(image: { config: object; comment: string; repoTags: string[] }, layerHex: string) {
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: EPOCH.toISOString(),
      config: image.config,
      rootfs: { type: "layers", diff_ids: [`sha256:${layerHex}`] },
      history: [{ created: EPOCH.toISOString(), created_by: image.comment, comment: "built by sockerless conformance" }],
    }),
  );
  const configHex = sha256(config);
  const manifest = Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: image.repoTags, Layers: [`${layerHex}/layer.tar`] }]));
  return { config, configHex, manifest };
}

export async function writeDockerArchive(spec: ImageSpec, out: string): Promise<string> {
  const layer = await layerTar(spec.entries);
  const layerDir = sha256(layer);
  const { config, configHex, manifest } = imageMetadata({ config: spec.config, comment: spec.comment, repoTags: [spec.repoTag] }, layerDir);
  const archive = await packTar((pack) => {
    const base = { mtime: EPOCH, uid: 0, gid: 0 };
    pack.entry({ ...base, name: `${configHex}.json` }, config);
    pack.entry({ ...base, name: `${layerDir}/`, type: "directory", mode: 0o755 });
    pack.entry({ ...base, name: `${layerDir}/layer.tar` }, layer);
    pack.entry({ ...base, name: "manifest.json" }, manifest);
  });
  await pipeline(async function* () {
    yield archive;
  }, createWriteStream(out));
  return `sha256:${configHex}`;
}
