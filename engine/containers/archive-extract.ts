import { Readable, Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { Header } from "tar-stream";
import type { ContainerFiles } from "../../backends/backend.js";
import { NotImplementedError, SystemError } from "../errors.js";
import { ExpansionLimit } from "../images/expansion-limit.js";
import { namedError } from "../images/open-file.js";
import { nameTooLong, tarExtract } from "../images/tar-path.js";
import { resolveInScope } from "./archive.js";
import { base, childPath, clean, dir, inside } from "./archive-path.js";

export interface ExtractOptions {
  /** Refuse to replace a directory with a non-directory and the reverse (the API's noOverwriteDirNonDir). */
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry instead of the tar's own (copyUIDGID with a container User). */
  chown?: { uid: number; gid: number };
  /** Names the backend in refusals of what it cannot create. */
  backend: string;
}

/** Files are sent to the backend in pieces of at most this size, so one large entry never sits in memory whole. */
const PIECE = 1024 * 1024;
/** Mode of directories an archive implies without listing them (moby's ImpliedDirectoryMode). */
const IMPLIED_DIR_MODE = 0o755;

const MAGIC: [string, number[]][] = [
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
];

/** Plain or gzip tar, as dockerd's DecompressStream reads; other compressions are refused by name. */
export async function decompressed(input: Readable): Promise<Readable> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const held: Buffer[] = [];
  let head = Buffer.alloc(0);
  while (head.length < 6) {
    const r = await iterator.next();
    if (r.done) break;
    held.push(r.value);
    head = Buffer.concat([head, r.value]);
  }
  for (const [kind, magic] of MAGIC) {
    if (magic.every((b, i) => head[i] === b)) {
      input.destroy();
      throw new NotImplementedError(`${kind}-compressed archives are not supported: send a plain or gzip-compressed tar`);
    }
  }
  const rest = Readable.from(
    (async function* () {
      yield* held;
      for (;;) {
        const r = await iterator.next();
        if (r.done) return;
        yield r.value;
      }
    })(),
  );
  if (head[0] !== 0x1f || head[1] !== 0x8b) return rest;
  const limit = new ExpansionLimit();
  const counted = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      limit.read(chunk.length);
      cb(null, chunk);
    },
  });
  const gunzip = createGunzip();
  const bounded = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      cb(limit.produced(chunk.length), chunk);
    },
  });
  rest.on("error", (e) => counted.destroy(e));
  counted.on("error", (e) => gunzip.destroy(e));
  gunzip.on("error", (e) => bounded.destroy(e));
  return rest.pipe(counted).pipe(gunzip).pipe(bounded);
}

function systemError(err: unknown): Error {
  if (err instanceof Error && "status" in err) return err;
  const e = err as NodeJS.ErrnoException;
  return new SystemError(e.message === "Unexpected end of data" ? "unexpected EOF" : e.message);
}

/**
 * Unpacks a tar stream into the directory `dest` (resolved, absolute) of a
 * container, with moby's rules: names are cleaned and must stay below
 * `dest`; relative symlinks and hard links must point inside it; an existing
 * object is replaced unless both are directories; missing parents are made.
 * Entries already written stay when a later one fails, as with dockerd.
 */
export async function extractTar(files: ContainerFiles, dest: string, input: Readable, opts: ExtractOptions): Promise<void> {
  const dirs: { path: string; meta: { mode: number; uid: number; gid: number; mtime: number } }[] = [];
  const extract = tarExtract();
  let current: Promise<void> = Promise.resolve();
  extract.on("entry", (header, stream, next) => {
    // A failed entry fails the whole extract, which destroys its stream too; the pipeline reports it.
    stream.on("error", () => {});
    current = unpackEntry(files, dest, header, stream as unknown as EntryStream, opts, dirs);
    current.then(
      () => next(),
      (err) => {
        stream.resume();
        next(systemError(err));
      },
    );
  });
  try {
    await pipeline(input, extract as unknown as Writable);
  } catch (err) {
    // The entry being written when the extract failed has cleaned up before the caller hears of it;
    // its own failure, when it had one, is the cause (the tar reader only saw its stream cut short).
    const entryFailure = await current.then(
      () => undefined,
      (e: unknown) => e,
    );
    throw systemError(entryFailure ?? err);
  }
  for (const d of dirs) await files.setMeta(d.path, d.meta);
}

/** An entry's data as tar-stream hands it over. */
type EntryStream = AsyncIterable<Buffer> & { resume(): unknown; on(event: "error", listener: () => void): unknown };

async function drain(stream: EntryStream): Promise<void> {
  for await (const _ of stream);
}

async function unpackEntry(
  files: ContainerFiles,
  dest: string,
  header: Header,
  stream: EntryStream,
  opts: ExtractOptions,
  dirs: { path: string; meta: { mode: number; uid: number; gid: number; mtime: number } }[],
): Promise<void> {
  const name = clean(header.name);
  let path = clean(`${dest}/${name}`);
  if (!inside(dest, path)) throw new SystemError(`${JSON.stringify(name)} is outside of ${JSON.stringify(dest)}`);
  if (nameTooLong(path)) throw new SystemError(`open ${path.length > 128 ? `${path.slice(0, 128)}…` : path}: file name too long`);
  if (name !== "/") {
    const parent = await followedParent(files, dir(path));
    if (parent !== dir(path)) path = childPath(parent, base(path));
    await makeParents(files, inside(dest, parent) ? dest : "/", parent);
  }
  const existing = await files.lstat(path);
  const isDir = header.type === "directory";
  if (existing) {
    if (opts.noOverwriteDirNonDir && existing.type === "dir" && !isDir) {
      throw new SystemError(`cannot overwrite directory ${JSON.stringify(path)} with non-directory ${JSON.stringify(dest)}`);
    }
    if (opts.noOverwriteDirNonDir && existing.type !== "dir" && isDir) {
      throw new SystemError(`cannot overwrite non-directory ${JSON.stringify(path)} with directory ${JSON.stringify(dest)}`);
    }
    if (existing.type === "dir" && name === ".") return drain(stream);
    if (!(existing.type === "dir" && isDir)) await files.remove(path);
  }
  const meta = { mode: (header.mode ?? 0o644) & 0o7777, uid: opts.chown?.uid ?? header.uid ?? 0, gid: opts.chown?.gid ?? header.gid ?? 0, mtime: header.mtime?.getTime() ?? 0 };
  switch (header.type) {
    case "directory":
      if (existing?.type !== "dir") await files.mkdir(path);
      await files.setMeta(path, meta);
      dirs.push({ path, meta });
      return drain(stream);
    case "file":
    case "contiguous-file":
      try {
        await writeContent(files, path, stream);
      } catch (err) {
        // No half-written file stays behind: a full disk, a refused bomb or a cut stream leaves nothing.
        await files.remove(path).catch(() => {});
        throw namedError(err, "write", path);
      }
      return files.setMeta(path, meta);
    case "symlink": {
      const linkname = header.linkname ?? "";
      if (!inside(dest, clean(`${dir(path)}/${linkname}`))) throw new SystemError(`invalid symlink ${JSON.stringify(path)} -> ${JSON.stringify(linkname)}`);
      await files.symlink(path, linkname);
      return drain(stream);
    }
    case "link": {
      const linkname = header.linkname ?? "";
      const target = clean(`${dest}/${linkname}`);
      if (!inside(dest, target)) throw new SystemError(`invalid hardlink ${JSON.stringify(target)} -> ${JSON.stringify(linkname)}`);
      try {
        await files.link(path, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new SystemError(`link ${target} ${path}: no such file or directory`);
        throw err;
      }
      // The file keeps its own mode and owner: a second name is not a second file.
      return drain(stream);
    }
    case "fifo":
    case "character-device":
    case "block-device":
      throw new NotImplementedError(`tar entry ${JSON.stringify(header.name)} is a ${header.type.replace("-", " ")}, which the ${opts.backend} backend cannot create`);
    default:
      throw new SystemError(`unhandled tar header type ${JSON.stringify(header.type)}`);
  }
}

/**
 * The entry's parent directory with a symlink among its steps followed inside
 * the container's root, as dockerd's unpacking in a chroot does: a link
 * pointing out of the root points into it instead.
 */
async function followedParent(files: ContainerFiles, parent: string): Promise<string> {
  try {
    if ((await files.lstat(parent))?.type !== "symlink") return parent;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOTDIR") throw err;
  }
  return resolveInScope(files, parent);
}

/** Creates missing directories from `dest` down to `parent`, root-owned with moby's implied mode. */
async function makeParents(files: ContainerFiles, dest: string, parent: string): Promise<void> {
  if (!inside(dest, parent) || (await files.lstat(parent))) return;
  let cur = dest;
  for (const part of parent.slice(dest === "/" ? 1 : dest.length + 1).split("/")) {
    cur = childPath(cur, part);
    const info = await files.lstat(cur);
    if (info) continue;
    await files.mkdir(cur);
    await files.setMeta(cur, { mode: IMPLIED_DIR_MODE, uid: 0, gid: 0, mtime: Date.now() });
  }
}

async function writeContent(files: ContainerFiles, path: string, stream: EntryStream): Promise<void> {
  let pending: Buffer[] = [];
  let size = 0;
  let started = false;
  const flush = async () => {
    await files.write(path, Buffer.concat(pending), started);
    started = true;
    pending = [];
    size = 0;
  };
  for await (const chunk of stream) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= PIECE) await flush();
  }
  if (!started || size > 0) await flush();
}
