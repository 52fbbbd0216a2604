import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { LayerStore } from "./layer.js";
import { largeReadStream, openedWriteStream } from "./open-file.js";

/** A compressed form of a layer known to be in a registry repository (moby's v2 metadata). */
export interface LayerSource {
  digest: string;
  size: number;
  mediaType: string;
  /** The reference domain of the registry, e.g. "127.0.0.1:5000". */
  registry: string;
  repository: string;
}

/** The gzip-compressed form of a layer this daemon made, kept so every push of it names the same blob. */
export interface CompressedLayer {
  digest: string;
  size: number;
  path: string;
}

/**
 * What a layer's distribution needs besides its files, kept in the layer's own
 * directory so it goes when the layer does: where its compressed forms live
 * in registries (for skipping and cross-repository mounts), and the gzip of
 * its tar that pushes upload. Files appear by rename, complete or not at all.
 */
export class LayerDistribution {
  private readonly compressing = new Map<string, Promise<CompressedLayer>>();

  constructor(private readonly layers: LayerStore) {}

  private file(diffId: string, name: string): string {
    return join(dirname(this.layers.tarPath(diffId)), name);
  }

  private writeAtomically(path: string, text: string): void {
    const tmp = `${path}.${process.pid}.${Math.random().toString(16).slice(2)}`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }

  sources(diffId: string): LayerSource[] {
    const path = this.file(diffId, "sources.json");
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as LayerSource[]) : [];
  }

  /** Remembers that `source` holds this layer; the newest first, one entry per registry repository and digest. */
  record(diffId: string, source: LayerSource): void {
    if (!this.layers.has(diffId)) return;
    const same = (s: LayerSource) => s.digest === source.digest && s.registry === source.registry && s.repository === source.repository;
    this.writeAtomically(this.file(diffId, "sources.json"), JSON.stringify([source, ...this.sources(diffId).filter((s) => !same(s))]));
  }

  /** The layer's gzip, made once and kept; concurrent callers share one compression. */
  gzipped(diffId: string): Promise<CompressedLayer> {
    const path = this.file(diffId, "layer.tar.gz");
    const meta = this.file(diffId, "layer.tar.gz.json");
    if (existsSync(meta) && existsSync(path)) return Promise.resolve({ ...(JSON.parse(readFileSync(meta, "utf8")) as { digest: string }), size: statSync(path).size, path });
    let job = this.compressing.get(diffId);
    if (!job) {
      job = this.compress(diffId, path, meta).finally(() => this.compressing.delete(diffId));
      this.compressing.set(diffId, job);
    }
    return job;
  }

  private async compress(diffId: string, path: string, meta: string): Promise<CompressedLayer> {
    const tmp = `${path}.${process.pid}.${Math.random().toString(16).slice(2)}`;
    const hash = createHash("sha256");
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(largeReadStream(this.layers.tarPath(diffId)), createGzip({ chunkSize: 256 * 1024 }), count, openedWriteStream(tmp));
      const digest = `sha256:${hash.digest("hex")}`;
      renameSync(tmp, path);
      this.writeAtomically(meta, JSON.stringify({ digest }));
      return { digest, size, path };
    } finally {
      rmSync(tmp, { force: true });
    }
  }
}
