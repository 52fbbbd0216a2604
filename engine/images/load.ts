import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join, posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { InvalidParameterError } from "../errors.js";
import { collectGarbage } from "./gc.js";
import { decompressed } from "./layer.js";
import type { ImageStore } from "./store.js";
import { entryPath, tarExtract } from "./tar-path.js";
import { largeReadStream, openedWriteStream } from "./open-file.js";

interface ArchiveImage {
  config: string;
  layers: string[];
  tags: string[];
}

/**
 * Unpacks the outer archive into a private directory; its members are read
 * from there. Returns its symlinks (dockerd 20.10 links a layer saved twice
 * to the first copy), archive path to target, resolved inside the archive.
 */
async function extractArchive(input: Readable, dir: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  const extract = tarExtract();
  extract.on("entry", (header, stream, next) => {
    // A refused entry fails the whole extract, which also destroys the entry stream; pipeline() reports it.
    stream.on("error", () => {});
    let path: string;
    try {
      path = entryPath(header.name);
    } catch (e) {
      stream.resume();
      return next(e as Error);
    }
    if (header.type === "symlink") {
      const target = header.linkname ?? "";
      try {
        links.set(path, entryPath(target.startsWith("/") ? target : `${posix.dirname(path)}/${target}`));
      } catch {
        stream.resume();
        return next(new InvalidParameterError(`refusing symlink "${header.name}" to "${target}": it points out of the archive root`));
      }
      return stream.on("end", next).resume();
    }
    if (header.type !== "file" && header.type !== "contiguous-file") {
      if (header.type === "directory") return stream.on("end", next).resume();
      stream.resume();
      return next(new InvalidParameterError(`unexpected ${header.type} "${header.name}" in an image archive`));
    }
    const target = join(dir, path);
    mkdirSync(join(target, ".."), { recursive: true });
    pipeline(stream, openedWriteStream(target)).then(() => next(), next);
  });
  await pipeline(decompressed(input), extract);
  return links;
}

function readJson<T>(dir: string, name: string): T {
  const file = join(dir, entryPath(name));
  if (!existsSync(file)) throw new InvalidParameterError(`image archive lacks ${name}`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    throw new InvalidParameterError(`${name} in the image archive is not valid JSON`);
  }
}

const blobPath = (digest: string) => `blobs/${digest.replace(":", "/")}`;

/** The images of a docker-archive (manifest.json) or an OCI image layout (index.json). */
function describeArchive(dir: string): ArchiveImage[] {
  if (existsSync(join(dir, "manifest.json"))) {
    const manifest = readJson<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>(dir, "manifest.json");
    if (!Array.isArray(manifest)) throw new InvalidParameterError("manifest.json in the image archive is not a list");
    return manifest.map((m) => ({ config: m.Config, layers: m.Layers, tags: m.RepoTags ?? [] }));
  }
  if (existsSync(join(dir, "index.json"))) {
    type Descriptor = { digest: string; mediaType?: string; annotations?: Record<string, string> };
    const index = readJson<{ manifests: Descriptor[] }>(dir, "index.json");
    return index.manifests.map((d) => {
      const m = readJson<{ config: Descriptor; layers: Descriptor[]; manifests?: Descriptor[] }>(dir, blobPath(d.digest));
      if (m.manifests) throw new InvalidParameterError("multi-platform image indexes in an OCI layout are not supported yet; save one platform");
      const name = d.annotations?.["io.containerd.image.name"];
      return { config: blobPath(m.config.digest), layers: m.layers.map((l) => blobPath(l.digest)), tags: name ? [name] : [] };
    });
  }
  throw new InvalidParameterError("not an image archive: it has neither manifest.json nor index.json");
}

/**
 * `docker load`: imports every image of an archive. Layers are verified
 * against the config's diff IDs; nothing of an image is recorded unless all of
 * it arrived. Returns the lines Docker prints ("Loaded image: ...").
 */
export async function loadImages(store: ImageStore, input: Readable, scratch: string): Promise<string[]> {
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, "load-"));
  // Layers this load brought or found, spared from garbage collection until their image is recorded.
  const touched: string[] = [];
  try {
    const links = await extractArchive(input, dir);
    const lines: string[] = [];
    for (const image of describeArchive(dir)) {
      const rawConfig = readFileSync(join(dir, entryPath(image.config)));
      const config = JSON.parse(rawConfig.toString("utf8")) as { rootfs?: { diff_ids?: string[] } };
      const diffIds = config.rootfs?.diff_ids ?? [];
      if (diffIds.length !== image.layers.length) {
        throw new InvalidParameterError(`image archive lists ${image.layers.length} layers but its config names ${diffIds.length}`);
      }
      for (const [i, layer] of image.layers.entries()) {
        touched.push(diffIds[i]);
        if (store.layers.keep(diffIds[i])) continue;
        const member = entryPath(layer);
        const file = join(dir, links.get(member) ?? member);
        if (!existsSync(file)) throw new InvalidParameterError(`image archive lacks layer ${layer}`);
        await store.layers.add(largeReadStream(file), diffIds[i]);
      }
      const added = store.add(rawConfig);
      if (image.tags.length === 0) lines.push(`Loaded image ID: ${added.id}`);
      for (const tag of image.tags) lines.push(`Loaded image: ${store.tag(added.id, tag)}`);
      store.events.image(added.id, added.id, "load", added.config.config?.Labels);
    }
    return lines;
  } catch (err) {
    // The layers of an image that did not arrive whole go, unless another image uses them.
    store.layers.settle(touched);
    collectGarbage(store);
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
