import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import type { ContainerFiles } from "../../backends/backend.js";
import { decompressed, extractTar } from "../containers/archive-extract.js";
import { childPath, clean, dir } from "../containers/archive-path.js";
import { containerUser } from "../containers/archive-user.js";
import { resolveInScope } from "../containers/archive.js";
import { pathMatch } from "../images/glob.js";
import type { BuildContext, ContextEntry } from "./context.js";
import { cleanRelative } from "./dockerignore.js";
import { StepFailure } from "./step.js";

/** One source a COPY or ADD resolved to. */
interface Source {
  /** Its path in the source tree. */
  path: string;
  entry: ContextEntry;
  /** The name a file gets inside a destination directory. */
  name: string;
}

export interface CopyRequest {
  /** "COPY" or "ADD". */
  instruction: string;
  /** The sources as written, in a build context or (with --from) an image's root. */
  sources: string[];
  /** The destination, absolute, trailing "/" kept. */
  dest: string;
  /** Sources come from an image or stage (--from): then their owners are kept unless --chown says otherwise. */
  fromImage: boolean;
  chown?: string;
}

const WILDCARD = /[*?[]/;

/** Resolves the sources in the tree, with dockerd's errors for what is missing. */
export function resolveSources(tree: BuildContext, req: CopyRequest): Source[] {
  const out: Source[] = [];
  for (const src of req.sources) {
    const rel = cleanRelative(src);
    const remote = tree.entries.get(src);
    if (remote?.remote) {
      out.push({ path: src, entry: remote, name: src.split("/").at(-1)! });
      continue;
    }
    if (WILDCARD.test(rel)) {
      for (const path of [...tree.entries.keys()].sort()) {
        if (path !== "" && pathMatch(rel, path)) out.push({ path, entry: tree.entries.get(path)!, name: path.split("/").at(-1)! });
      }
      continue;
    }
    const found = tree.resolve(rel);
    if (!found) {
      const where = req.fromImage ? "" : "file not found in build context or excluded by .dockerignore: ";
      throw new StepFailure(`${req.instruction} failed: ${where}stat ${src}: file does not exist`);
    }
    out.push({ path: found.path, entry: found.entry, name: rel.split("/").at(-1) ?? "" });
  }
  if (out.length === 0) throw new StepFailure(`${req.instruction} failed: no source files were specified`);
  if (out.length > 1 && !req.dest.endsWith("/")) {
    throw new StepFailure(`When using ${req.instruction} with more than one source file, the destination must be a directory and end with a /`);
  }
  return out;
}

/**
 * What the step's history and cache key name the sources by: "file:", "dir:"
 * or "multi:" and a digest of every name, mode, owner and byte copied, so a
 * changed source misses the cache.
 */
export function sourceDigest(tree: BuildContext, sources: Source[]): string {
  const hash = createHash("sha256");
  for (const s of sources) {
    for (const path of [s.path, ...(s.entry.type === "dir" ? tree.below(s.path) : [])]) {
      const e = tree.entries.get(path)!;
      hash.update(`${path.slice(s.path.length)}\0${e.type}\0${e.mode}\0${e.uid}:${e.gid}\0${e.linkname ?? ""}\0`);
      if (e.data) hash.update(createHash("sha256").update(e.data).digest());
    }
    hash.update(`\0${s.name}\n`);
  }
  const kind = sources.length > 1 ? "multi" : sources[0].entry.type === "dir" ? "dir" : "file";
  return `${kind}:${hash.digest("hex")}`;
}

type Owner = { uid: number; gid: number } | undefined;

async function makeParents(files: ContainerFiles, path: string, owner: Owner): Promise<void> {
  const missing: string[] = [];
  for (let p = path; p !== "/" && !(await files.lstat(p)); p = dir(p)) missing.unshift(p);
  for (const p of missing) {
    await files.mkdir(p);
    await files.setMeta(p, { mode: 0o755, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, mtime: Date.now() });
  }
}

/** Writes one tree entry at `path`, replacing a non-directory there. */
async function put(files: ContainerFiles, tree: BuildContext, e: ContextEntry, path: string, owner: Owner): Promise<void> {
  const existing = await files.lstat(path);
  const meta = { mode: e.mode, uid: owner?.uid ?? e.uid, gid: owner?.gid ?? e.gid, mtime: e.mtime };
  if (e.type === "dir") {
    if (existing && existing.type !== "dir") await files.remove(path);
    if (!existing || existing.type !== "dir") await files.mkdir(path);
    return files.setMeta(path, meta);
  }
  if (existing?.type === "dir") throw new StepFailure(`cannot overwrite directory ${JSON.stringify(path)} with non-directory`);
  if (existing) await files.remove(path);
  if (e.type === "symlink") return files.symlink(path, e.linkname ?? "");
  // A hard link in the context is copied as a file of its own, as a copy of its bytes.
  const data = e.type === "link" ? (tree.file(e.linkname ?? "") ?? Buffer.alloc(0)) : (e.data ?? Buffer.alloc(0));
  await files.write(path, data, false);
  await files.setMeta(path, meta);
}

const COMPRESSED = [
  [0x42, 0x5a, 0x68], // bzip2
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
];

/**
 * Whether ADD unpacks a local file: a tar, plain or gzip-compressed. A
 * bzip2, xz or zstd file counts too, so that extraction refuses it by name
 * rather than it being copied as a file where dockerd would unpack it.
 */
function isArchive(data: Buffer | undefined): boolean {
  if (!data) return false;
  const tarHeader = (b: Buffer) => b.length >= 262 && b.subarray(257, 262).toString("latin1") === "ustar";
  if (data[0] === 0x1f && data[1] === 0x8b) {
    // A gzip file that holds no tar is copied as it is, as dockerd's isArchivePath decides.
    try {
      return tarHeader(gunzipSync(data));
    } catch {
      return false;
    }
  }
  if (COMPRESSED.some((magic) => magic.every((b, i) => data[i] === b))) return true;
  return tarHeader(data);
}

/**
 * Copies the sources into the step's file system with Docker's rules: a
 * directory's contents go into the destination; a file goes into it when it
 * ends with "/" or is an existing directory, else becomes it; missing parent
 * directories are made. Files are owned by root, or by --chown's user
 * (looked up in the image's own passwd and group files); ADD unpacks local
 * tar archives into the destination.
 */
export async function copyInto(files: ContainerFiles, tree: BuildContext, sources: Source[], req: CopyRequest): Promise<void> {
  let owner: Owner = req.fromImage ? undefined : { uid: 0, gid: 0 };
  if (req.chown) {
    const spec = req.chown.includes(":") ? req.chown : `${req.chown}:${req.chown}`;
    try {
      owner = await containerUser(files, spec);
    } catch (err) {
      throw new StepFailure(`${req.instruction} failed: unable to convert uid/gid chown string to host mapping: ${(err as Error).message}`);
    }
  }
  const dest = clean(req.dest);
  const namesDir = req.dest.endsWith("/") || req.dest.endsWith("/.");
  for (const s of sources) {
    const resolved = await resolveInScope(files, dest);
    const existing = await files.lstat(resolved);
    if (s.entry.type === "dir") {
      await makeParents(files, dir(resolved), owner);
      await put(files, tree, s.entry, resolved, owner);
      for (const path of tree.below(s.path)) {
        const target = `${resolved === "/" ? "" : resolved}/${path.slice(s.path === "" ? 0 : s.path.length + 1)}`;
        await put(files, tree, tree.entries.get(path)!, target, owner);
      }
      continue;
    }
    if (req.instruction === "ADD" && s.entry.type === "file" && !s.entry.remote && isArchive(s.entry.data)) {
      await makeParents(files, resolved, owner);
      const input = await decompressed(Readable.from([s.entry.data!]));
      await extractTar(files, resolved, input, { noOverwriteDirNonDir: false, backend: "build" });
      continue;
    }
    const target = namesDir || existing?.type === "dir" ? childPath(resolved, s.name) : resolved;
    await makeParents(files, dir(target), owner);
    await put(files, tree, s.entry, target, owner);
  }
}

/**
 * The sources of a COPY --from, read out of the image's files into a tree
 * like a build context, each under the path it was named by (symlinks on the
 * way resolved in the image): the source, or what its wildcard matches in
 * its directory, with everything below it.
 */
export async function imageTree(files: ContainerFiles, sources: string[], tree: BuildContext): Promise<BuildContext> {
  const add = async (abs: string, key: string): Promise<void> => {
    const info = await files.lstat(abs);
    if (!info) return;
    const entry: ContextEntry = { type: info.type === "fifo" ? "file" : info.type, mode: info.mode, uid: info.uid, gid: info.gid, mtime: info.mtime };
    if (info.type === "file") entry.data = await files.read(abs);
    if (info.type === "symlink") entry.linkname = info.link;
    tree.entries.set(key, entry);
    if (info.type === "dir") for (const name of await files.readdir(abs)) await add(childPath(abs, name), key === "" ? name : `${key}/${name}`);
  };
  const addParents = (key: string) => {
    const parts = key.split("/");
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join("/");
      if (!tree.entries.has(p)) tree.entries.set(p, { type: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 });
    }
  };
  for (const src of sources) {
    const rel = cleanRelative(src);
    if (!WILDCARD.test(rel)) {
      addParents(rel);
      await add(await resolveInScope(files, `/${rel}`), rel);
      continue;
    }
    const parentKey = rel.split("/").slice(0, -1).join("/");
    const parentAbs = await resolveInScope(files, `/${parentKey}`);
    const info = await files.lstat(parentAbs);
    if (info?.type !== "dir") continue;
    for (const name of await files.readdir(parentAbs)) {
      const key = parentKey ? `${parentKey}/${name}` : name;
      if (!pathMatch(rel, key)) continue;
      addParents(key);
      await add(childPath(parentAbs, name), key);
    }
  }
  return tree;
}
