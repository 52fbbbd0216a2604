import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { createGunzip, type Gunzip } from "node:zlib";
import { InvalidParameterError } from "../errors.js";
import { ExpansionLimit } from "./expansion-limit.js";
import { baseName, entryPath, parentOf, tarExtract } from "./tar-path.js";
import { openedWriteStream } from "./open-file.js";

/** One file system object of a layer. Regular files keep their bytes in `data` (a file of the layer directory). */
export interface LayerEntry {
  type: "file" | "dir" | "symlink" | "hardlink" | "fifo";
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size: number;
  /** Symlink target, or the path a hard link points to. */
  link?: string;
  data?: string;
}

/** A layer's contents, with its whiteouts kept apart from its entries. */
export interface LayerIndex {
  diffId: string;
  size: number;
  entries: Record<string, LayerEntry>;
  /** Paths this layer deletes from the layers below. */
  whiteouts: string[];
  /** Directories whose lower contents this layer hides. */
  opaque: string[];
}

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

/** Unwraps gzip when the stream starts with its magic number; plain tar passes through. */
export function decompressed(input: Readable): Readable {
  let gunzip: Gunzip | undefined;
  let first = true;
  const limit = new ExpansionLimit();
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (first) {
        first = false;
        if (chunk[0] === 0x28 && chunk[1] === 0xb5 && chunk[2] === 0x2f && chunk[3] === 0xfd) {
          return cb(new InvalidParameterError("zstd-compressed layers are not supported yet"));
        }
        if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
          gunzip = createGunzip({ chunkSize: 256 * 1024 });
          gunzip.on("data", (d: Buffer) => {
            const tooMuch = limit.produced(d.length);
            if (!tooMuch) return void out.push(d);
            gunzip!.destroy();
            out.destroy(tooMuch);
          });
          gunzip.on("error", (e) => out.destroy(new InvalidParameterError(`layer is not valid gzip: ${e.message}`)));
        }
      }
      if (gunzip) {
        limit.read(chunk.length);
        gunzip.write(chunk, () => cb());
      } else cb(null, chunk);
    },
    flush(cb) {
      if (!gunzip) return cb();
      gunzip.once("end", () => cb());
      gunzip.end();
    },
  });
  input.on("error", (e) => out.destroy(e));
  return input.pipe(out);
}

/**
 * Stores layers unpacked once by diff ID under a directory, shared by every
 * image and container that uses them. Each layer directory holds the
 * uncompressed tar (for save and push), its index, and one file per regular
 * file's bytes. A layer appears only when complete: it is written under a
 * temporary name and renamed into place.
 */
export class LayerStore {
  private readonly cache = new Map<string, LayerIndex>();
  /** Layers written or found for an image not recorded yet (a load or pull under way); garbage collection spares them. */
  private readonly pending = new Set<string>();

  constructor(private readonly dir: string) {
    mkdirSync(join(dir, "tmp"), { recursive: true });
  }

  /** At daemon start: discards what a crash left half-written; complete layers were renamed into place. */
  discardUnfinished(): void {
    rmSync(join(this.dir, "tmp"), { recursive: true, force: true });
    mkdirSync(join(this.dir, "tmp"), { recursive: true });
  }

  private layerDir(diffId: string) {
    return join(this.dir, diffId.replace(/^sha256:/, ""));
  }

  has(diffId: string): boolean {
    return existsSync(join(this.layerDir(diffId), "index.json"));
  }

  /**
   * Whether the layer is present; if so it is kept from garbage collection
   * until an image that names it is recorded (ImageStore.add) — for loads and
   * pulls that skip layers they already have.
   */
  keep(diffId: string): boolean {
    if (!this.has(diffId)) return false;
    this.pending.add(diffId);
    return true;
  }

  /** An image naming these layers is recorded; they no longer need sparing. */
  settle(diffIds: string[]): void {
    for (const d of diffIds) this.pending.delete(d);
  }

  /** Diff IDs of the layers present. */
  list(): string[] {
    return readdirSync(this.dir)
      .filter((name) => /^[0-9a-f]{64}$/.test(name))
      .map((hex) => `sha256:${hex}`);
  }

  /** Deletes a layer nothing uses any more, unless a load or pull under way holds it. Returns whether it went. */
  remove(diffId: string): boolean {
    if (this.pending.has(diffId)) return false;
    const final = this.layerDir(diffId);
    const doomed = join(this.dir, "tmp", `gone-${diffId.slice(7)}-${Date.now()}`);
    // Renamed out of sight first, so no reader ever sees half a layer.
    try {
      renameSync(final, doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw err;
    }
    this.cache.delete(diffId);
    rmSync(doomed, { recursive: true, force: true });
    return true;
  }

  /**
   * The layer's size as dockerd reports it (graphdriver DiffSize): the bytes
   * of its regular files, hard-linked ones once, plus its symlinks' target lengths.
   */
  diffSize(diffId: string): number {
    let size = 0;
    for (const e of Object.values(this.index(diffId).entries)) {
      if (e.type === "file" && e.link === undefined) size += e.size;
      else if (e.type === "symlink") size += Buffer.byteLength(e.link ?? "");
    }
    return size;
  }

  index(diffId: string): LayerIndex {
    let idx = this.cache.get(diffId);
    if (!idx) {
      idx = JSON.parse(readFileSync(join(this.layerDir(diffId), "index.json"), "utf8")) as LayerIndex;
      this.cache.set(diffId, idx);
    }
    return idx;
  }

  /** Absolute path of a regular file's bytes. */
  dataPath(diffId: string, entry: LayerEntry): string {
    return join(this.layerDir(diffId), "data", entry.data!);
  }

  tarPath(diffId: string): string {
    return join(this.layerDir(diffId), "layer.tar");
  }

  /**
   * Unpacks a (possibly gzipped) layer tar. Refuses entries that climb out of
   * the root, device nodes, and hard links to paths outside the layer.
   * When `expectDiffId` is given, a mismatch is refused and nothing is kept.
   */
  async add(input: Readable, expectDiffId?: string): Promise<LayerIndex> {
    const tmp = join(this.dir, "tmp", `${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`);
    mkdirSync(join(tmp, "data"), { recursive: true });
    try {
      const index = await this.unpack(decompressed(input), tmp);
      if (expectDiffId && expectDiffId !== index.diffId) {
        throw new InvalidParameterError(`layer content does not match its digest: expected ${expectDiffId}, got ${index.diffId}`);
      }
      const final = this.layerDir(index.diffId);
      this.pending.add(index.diffId);
      if (existsSync(join(final, "index.json"))) return this.index(index.diffId);
      writeFileSync(join(tmp, "index.json"), JSON.stringify(index));
      rmSync(final, { recursive: true, force: true });
      renameSync(tmp, final);
      this.cache.set(index.diffId, index);
      return index;
    } finally {
      // A source left half-read (a failed unpacking) holds its file open, and a deleted file's space with it.
      input.destroy();
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  private async unpack(tarStream: Readable, tmp: string): Promise<LayerIndex> {
    const hash = createHash("sha256");
    const raw = openedWriteStream(join(tmp, "layer.tar"));
    // A write that fails (a full disk) fails the unpacking; the file is closed either way before the caller cleans up.
    raw.on("error", (err) => tee.destroy(err));
    const closed = () => {
      raw.end();
      return finished(raw);
    };
    let size = 0;
    const tee = new Transform({
      transform(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        size += chunk.length;
        raw.write(chunk);
        cb(null, chunk);
      },
    });
    const entries: Record<string, LayerEntry> = {};
    const whiteouts: string[] = [];
    const opaque: string[] = [];
    let n = 0;
    const extract = tarExtract();
    extract.on("entry", (header, stream, next) => {
    // A refused entry fails the whole extract, which also destroys the entry stream; pipeline() reports it.
    stream.on("error", () => {});
      const done = (err?: unknown) => (err ? next(err as Error) : next());
      let path: string;
      try {
        path = entryPath(header.name);
      } catch (e) {
        stream.resume();
        return done(e);
      }
      const name = baseName(path);
      const viaLink = symlinkAbove(entries, path);
      if (viaLink) {
        stream.resume();
        return done(new InvalidParameterError(`refusing tar entry "${header.name}": it would be written through the symlink "${viaLink}"`));
      }
      const meta = { mode: (header.mode ?? 0o644) & 0o7777, uid: header.uid ?? 0, gid: header.gid ?? 0, mtime: header.mtime?.getTime() ?? 0, size: 0 };
      if (name === OPAQUE) {
        opaque.push(parentOf(path));
        return stream.on("end", done).resume();
      }
      if (name.startsWith(WHITEOUT)) {
        whiteouts.push(join(parentOf(path), name.slice(WHITEOUT.length)));
        return stream.on("end", done).resume();
      }
      switch (header.type) {
        case "file":
        case "contiguous-file": {
          const data = String(n++);
          entries[path] = { type: "file", ...meta, size: header.size ?? 0, data };
          pipeline(stream, openedWriteStream(join(tmp, "data", data))).then(() => done(), done);
          return;
        }
        case "directory":
          entries[path] = { type: "dir", ...meta };
          break;
        case "symlink":
          // The target is kept as data: the sandbox resolves every link inside the container root, so none can reach a host path.
          entries[path] = { type: "symlink", ...meta, link: header.linkname ?? "" };
          break;
        case "link": {
          let target: string;
          try {
            target = entryPath(header.linkname ?? "");
          } catch (e) {
            stream.resume();
            return done(new InvalidParameterError(`refusing hard link "${header.name}": its target climbs out of the archive root`));
          }
          const to = entries[target];
          if (!to || to.type !== "file") {
            stream.resume();
            return done(new InvalidParameterError(`refusing hard link "${header.name}" to "${header.linkname}": not a file earlier in the same layer`));
          }
          entries[path] = { ...to, link: target };
          break;
        }
        case "fifo":
          entries[path] = { type: "fifo", ...meta };
          break;
        case "character-device":
        case "block-device":
          stream.resume();
          return done(new InvalidParameterError(`refusing device node "${header.name}": device nodes are not supported in layers`));
        default:
          break;
      }
      stream.on("end", done).resume();
    });
    try {
      await pipeline(tarStream, tee, extract);
    } catch (err) {
      // Ended, not destroyed: writes the tee queued complete before the file closes.
      await closed().catch(() => {});
      throw err;
    }
    await closed();
    return { diffId: `sha256:${hash.digest("hex")}`, size, entries, whiteouts, opaque };
  }
}

/** A symlink of this layer that is a parent directory of `path`, if any. */
function symlinkAbove(entries: Record<string, LayerEntry>, path: string): string | undefined {
  for (let p = parentOf(path); p !== "/"; p = parentOf(p)) if (entries[p]?.type === "symlink") return p;
  return undefined;
}
