import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, statSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { EPOCH, imageMetadata } from "./docker-archive.js";

/** The image configuration fields the server images set (a subset of the OCI/Docker image config). */
export interface ImageConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  Labels?: Record<string, string>;
}

export interface LayerImageSpec {
  repoTags: string[];
  config: ImageConfig;
  /** What made the layer, shown by `docker history`. */
  comment: string;
}


async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Writes a one-layer image in the `docker save` format from a layer tar that
 * is already on disk (a whole root file system, too big to hold in memory),
 * streaming it into the archive. Returns the image ID.
 */
export async function writeLayerArchive(layerPath: string, spec: LayerImageSpec, out: string): Promise<string> {
  const layerHex = await fileSha256(layerPath);
  const { config, configHex, manifest } = imageMetadata(spec, layerHex);

  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(out));
  const base = { mtime: EPOCH, uid: 0, gid: 0 };
  pack.entry({ ...base, name: `${configHex}.json` }, config);
  pack.entry({ ...base, name: `${layerHex}/`, type: "directory", mode: 0o755 });
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ ...base, name: `${layerHex}/layer.tar`, size: statSync(layerPath).size }, (err) => (err ? reject(err) : resolve()));
    pipeline(createReadStream(layerPath), entry).catch(reject);
  });
  pack.entry({ ...base, name: "manifest.json" }, manifest);
  pack.finalize();
  await written;
  return `sha256:${configHex}`;
}
