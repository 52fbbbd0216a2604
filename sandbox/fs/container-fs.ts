import { readdirSync, readFileSync, statSync, mkdirSync, rmSync } from "node:fs";
import { appendFile, copyFile, readFile, rename, rm, writeFile } from "node:fs/promises";
import { AsyncResource } from "node:async_hooks";
import { join } from "node:path";
import { unsafeBytesFromLatin1, type ByteString, type CpOptions, type FileContent, type FsStat, type IFileSystem, type MkdirOptions, type RmOptions } from "just-bash";
import type { LayerStore } from "../../engine/images/layer.js";
import { lowerView, type LowerNode, type LowerView, type NodeMeta, type NodeType } from "./lower.js";
import { baseName, childOf, fsError, isFsError, normalize, parentOf, resolveAgainst, resolveInRoot, split, within } from "./paths.js";

type Encoding = Exclude<Parameters<IFileSystem["readFile"]>[1], object | undefined>;
type ReadOptions = Parameters<IFileSystem["readFile"]>[1];
type WriteOptions = Parameters<IFileSystem["writeFile"]>[2];
type DirentEntry = Awaited<ReturnType<NonNullable<IFileSystem["readdirWithFileTypes"]>>>[number];

/** A change of the container over its image, as kept in the metadata file. */
interface UpperEntry {
  type: NodeType;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Symlink target. */
  link?: string;
  /** Name of the file under `data/` holding a regular file's bytes; hard links share it. */
  data?: string;
}

interface Meta {
  version: 1;
  next: number;
  entries: Record<string, UpperEntry>;
  /** Paths whose image contents (and everything below) are hidden; an upper entry at the same path shows instead. */
  deleted: string[];
}

/** The merged view of one path, from the container's changes or from the image. */
interface Node extends NodeMeta {
  upper?: UpperEntry;
  lower?: LowerNode;
}

export interface FullStat {
  type: NodeType;
  /** Permission bits only (0o7777); the type is in `type`. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  /** Symlink target (lstatFull of a symlink only). */
  link?: string;
}

export interface ContainerFsOptions {
  layers: LayerStore;
  /** Lowest first. */
  diffIds: string[];
  /** Host directory owned by this container, holding its changes. */
  upperDir: string;
  /** Bytes the container's own files may take; beyond it writes fail with ENOSPC. */
  maxUpperBytes?: number;
}

/*
 * Flushes are the host's bookkeeping, not the script's: they run in the async
 * context of module load, with the timer taken before any sandbox (such as
 * just-bash's defense-in-depth) can block it for scripts.
 */
const hostScope = new AsyncResource("ContainerFsFlush");
const nextTick = setImmediate;
const after = setTimeout;
/** Each flush rewrites the whole metadata file, so a stream of small writes flushes at most this often. */
const FLUSH_GAP_MS = 50;

const DEFAULT_MAX_UPPER = 1024 ** 3;
const META = "meta.json";

function encodingOf(options: ReadOptions | WriteOptions | null): Encoding | undefined {
  if (options == null) return undefined;
  return typeof options === "string" ? options : (options.encoding ?? undefined);
}

function toBytes(content: FileContent, encoding: Encoding | undefined): Buffer {
  if (typeof content !== "string") return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  return Buffer.from(content, encoding ?? "utf8");
}

/**
 * A container's copy-on-write file system: the image's layers (shared,
 * read-only, read from the layer store on demand) under the container's own
 * changes, which live under `upperDir` as a metadata file plus one host file
 * per written regular file. Host file names come from a counter, never from
 * container paths, so nothing inside the container can name a host path.
 */
export class ContainerFs implements IFileSystem {
  private readonly upper = new Map<string, UpperEntry>();
  /** Names of upper entries by parent path. */
  private readonly kids = new Map<string, Set<string>>();
  private readonly deleted = new Set<string>();
  private readonly refs = new Map<string, number>();
  private readonly sizes = new Map<string, number>();
  private used = 0;
  private next = 0;
  private dirty = false;
  private scheduled = false;
  private lastFlush = 0;
  private flushing: Promise<void> | null = null;
  /** Data files no longer referenced; removed once metadata without them is on disk. */
  private garbage: string[] = [];
  private readonly dataDir: string;
  private readonly metaPath: string;

  private constructor(
    readonly lower: LowerView,
    upperDir: string,
    private readonly maxUpperBytes: number,
  ) {
    this.dataDir = join(upperDir, "data");
    this.metaPath = join(upperDir, META);
  }

  static async open(opts: ContainerFsOptions): Promise<ContainerFs> {
    const fs = new ContainerFs(lowerView(opts.layers, opts.diffIds), opts.upperDir, opts.maxUpperBytes ?? DEFAULT_MAX_UPPER);
    fs.load();
    return fs;
  }

  // ---- persistence ----

  private load() {
    mkdirSync(this.dataDir, { recursive: true });
    let meta: Meta | undefined;
    try {
      meta = JSON.parse(readFileSync(this.metaPath, "utf8")) as Meta;
    } catch (err) {
      if (!isFsError(err, "ENOENT")) throw err;
    }
    const onDisk = new Map<string, number>();
    for (const name of readdirSync(this.dataDir)) {
      if (!/^\d+$/.test(name)) continue;
      onDisk.set(name, statSync(join(this.dataDir, name)).size);
      this.next = Math.max(this.next, Number(name) + 1);
    }
    if (meta) {
      this.next = Math.max(this.next, meta.next);
      for (const [path, e] of Object.entries(meta.entries)) {
        if (e.data !== undefined && !/^\d+$/.test(e.data)) delete e.data;
        this.setUpper(normalize(path), e);
      }
      for (const d of meta.deleted) this.deleted.add(normalize(d));
    }
    // Sizes come from the data files, which are always at least as new as the metadata.
    for (const name of this.refs.keys()) {
      const size = onDisk.get(name) ?? 0;
      this.sizes.set(name, size);
      this.used += size;
    }
    for (const name of onDisk.keys()) if (!this.refs.has(name)) rmSync(join(this.dataDir, name), { force: true });
    // Loading replays entries; nothing new to write.
    this.dirty = false;
  }

  private touch() {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.flush().catch(() => {
        // Retried on the next change or explicit flush; the data files are intact.
      });
    };
    const wait = this.lastFlush + FLUSH_GAP_MS - Date.now();
    hostScope.runInAsyncScope(() => (wait > 0 ? after(run, wait) : nextTick(run)));
  }

  /** Writes pending metadata now. */
  async flush(): Promise<void> {
    // A failed earlier flush leaves `dirty` set, so this one retries it.
    while (this.flushing) await this.flushing.catch(() => {});
    if (!this.dirty) return;
    this.flushing = this.writeMeta().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async writeMeta() {
    this.dirty = false;
    this.lastFlush = Date.now();
    const garbage = this.garbage;
    this.garbage = [];
    const meta: Meta = { version: 1, next: this.next, entries: Object.fromEntries(this.upper), deleted: [...this.deleted] };
    const tmp = `${this.metaPath}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(meta));
      await rename(tmp, this.metaPath);
    } catch (err) {
      this.dirty = true;
      this.garbage.push(...garbage);
      throw err;
    }
    await Promise.all(garbage.map((name) => rm(this.hostOf(name), { force: true })));
  }

  private hostOf(data: string): string {
    return join(this.dataDir, data);
  }

  // ---- upper bookkeeping ----

  private setUpper(path: string, e: UpperEntry) {
    const old = this.upper.get(path);
    if (e.data !== undefined) this.refs.set(e.data, (this.refs.get(e.data) ?? 0) + 1);
    if (old?.data !== undefined) this.release(old.data);
    this.upper.set(path, e);
    if (path !== "/") {
      const parent = parentOf(path);
      let set = this.kids.get(parent);
      if (!set) this.kids.set(parent, (set = new Set()));
      set.add(baseName(path));
    }
    this.touch();
  }

  private dropUpper(path: string) {
    const e = this.upper.get(path);
    if (!e) return;
    this.upper.delete(path);
    if (e.data !== undefined) this.release(e.data);
    const set = this.kids.get(parentOf(path));
    set?.delete(baseName(path));
    if (set?.size === 0) this.kids.delete(parentOf(path));
    this.touch();
  }

  private release(data: string) {
    const n = (this.refs.get(data) ?? 1) - 1;
    if (n > 0) return void this.refs.set(data, n);
    this.refs.delete(data);
    this.used -= this.sizes.get(data) ?? 0;
    this.sizes.delete(data);
    this.garbage.push(data);
    this.touch();
  }

  /** Reserves a new data file of `size` bytes, refusing when it would exceed the limit. */
  private allocate(size: number, syscall: string, path: string): string {
    this.reserve(size, syscall, path);
    const name = String(this.next++);
    this.sizes.set(name, size);
    // Held until an entry takes it, so a failed write can give it back.
    this.refs.set(name, 1);
    return name;
  }

  private reserve(delta: number, syscall: string, path: string) {
    if (delta > 0 && this.used + delta > this.maxUpperBytes) throw fsError("ENOSPC", syscall, path);
    this.used += delta;
  }

  private resize(data: string, size: number) {
    this.used += size - (this.sizes.get(data) ?? 0);
    this.sizes.set(data, size);
  }

  // ---- the merged view ----

  private lowerAt(path: string): LowerNode | undefined {
    let node: LowerNode | undefined = this.lower.root;
    for (const name of split(path)) {
      node = node.kids?.get(name);
      if (!node) return undefined;
    }
    return node;
  }

  /** Whether the image's object at `path` is hidden by a deletion, or by a non-directory change above it. */
  private hiddenLower(path: string): boolean {
    if (this.deleted.size === 0 && this.upper.size === 0) return false;
    let prefix = "";
    const parts = split(path);
    for (let i = 0; i < parts.length; i++) {
      prefix += "/" + parts[i];
      if (this.deleted.has(prefix)) return true;
      if (i < parts.length - 1) {
        const u = this.upper.get(prefix);
        if (u && u.type !== "dir") return true;
      }
    }
    return false;
  }

  /** The object at a resolved path, without following a symlink there. */
  private node(path: string): Node | undefined {
    const u = this.upper.get(path);
    if (u) {
      const size = u.data !== undefined ? (this.sizes.get(u.data) ?? 0) : u.type === "symlink" ? (u.link ?? "").length : 0;
      return { type: u.type, mode: u.mode, uid: u.uid, gid: u.gid, mtime: u.mtime, size, link: u.link, host: u.data !== undefined ? this.hostOf(u.data) : undefined, identity: u.data !== undefined ? `upper:${u.data}` : undefined, upper: u };
    }
    const l = path === "/" ? this.lower.root : this.hiddenLower(path) ? undefined : this.lowerAt(path);
    if (!l) return undefined;
    return { type: l.type, mode: l.mode, uid: l.uid, gid: l.gid, mtime: l.mtime, size: l.size, link: l.link, host: l.host, identity: l.identity, lower: l };
  }

  /** See resolveInRoot: symlinks are followed inside the container root. */
  private resolve(path: string, follow: boolean, syscall: string): { path: string; node?: Node } {
    return resolveInRoot(path, follow, syscall, (p) => this.node(p));
  }

  private existing(path: string, follow: boolean, syscall: string): { path: string; node: Node } {
    const r = this.resolve(path, follow, syscall);
    if (!r.node) throw fsError("ENOENT", syscall, path);
    return r as { path: string; node: Node };
  }

  /** Entries of a resolved directory, image and changes merged. */
  private list(dir: string): Map<string, Node> {
    const out = new Map<string, Node>();
    const u = this.upper.get(dir);
    if (!u || u.type === "dir") {
      const l = dir === "/" ? this.lower.root : this.hiddenLower(dir) ? undefined : this.lowerAt(dir);
      if (l?.kids) {
        for (const name of l.kids.keys()) {
          const n = this.node(childOf(dir, name));
          if (n) out.set(name, n);
        }
      }
    }
    for (const name of this.kids.get(dir) ?? []) {
      const n = this.node(childOf(dir, name));
      if (n) out.set(name, n);
    }
    return out;
  }

  private now() {
    return Date.now();
  }

  /** The change record at a resolved path, copying the image's object up first. */
  private async mutable(path: string, node: Node, syscall: string): Promise<UpperEntry> {
    if (node.upper) return node.upper;
    const base = { type: node.type, mode: node.mode, uid: node.uid, gid: node.gid, mtime: node.mtime, link: node.link };
    if (node.type !== "file" || !node.host) {
      const e: UpperEntry = { ...base };
      if (node.type === "file") {
        // An image file without bytes (size 0) still needs its own data file once changed.
        e.data = this.allocate(0, syscall, path);
        await writeFile(this.hostOf(e.data), "");
        return this.adopt(path, e, syscall);
      }
      this.setUpper(path, e);
      return e;
    }
    const data = this.allocate(node.size, syscall, path);
    try {
      await copyFile(node.host, this.hostOf(data));
    } catch (err) {
      this.release(data);
      throw err;
    }
    return this.adopt(path, { ...base, data }, syscall);
  }

  /** Installs a freshly written entry unless its path changed meanwhile; then the change made meanwhile wins. */
  private adopt(path: string, e: UpperEntry, syscall: string): UpperEntry {
    const raced = this.upper.get(path);
    const parent = path === "/" ? undefined : this.node(parentOf(path));
    if (raced || (path !== "/" && parent?.type !== "dir")) {
      if (e.data !== undefined) this.release(e.data);
      if (raced) return raced;
      throw fsError("ENOENT", syscall, path);
    }
    this.setUpper(path, e);
    if (e.data !== undefined) this.release(e.data);
    return e;
  }

  /** Removes the object at a resolved path and everything below it. */
  private remove(path: string) {
    const lowerVisible = path !== "/" && !this.hiddenLower(path) && this.lowerAt(path) !== undefined;
    const drop = (p: string) => {
      for (const name of [...(this.kids.get(p) ?? [])]) drop(childOf(p, name));
      this.dropUpper(p);
    };
    drop(path);
    if (lowerVisible) {
      for (const d of this.deleted) if (d.startsWith(path + "/")) this.deleted.delete(d);
      this.deleted.add(path);
      this.touch();
    }
  }

  private stats(node: Node): FsStat {
    return {
      isFile: node.type === "file",
      isDirectory: node.type === "dir",
      isSymbolicLink: node.type === "symlink",
      mode: node.mode,
      size: node.size,
      mtime: new Date(node.mtime),
      ...(node.identity ? { identity: node.identity } : {}),
    };
  }

  private full(node: Node, withLink: boolean): FullStat {
    const s: FullStat = { type: node.type, mode: node.mode, uid: node.uid, gid: node.gid, size: node.size, mtime: new Date(node.mtime) };
    if (withLink && node.type === "symlink") s.link = node.link;
    return s;
  }

  private async bytesOf(node: Node, path: string, syscall: string): Promise<Buffer> {
    if (node.type === "dir") throw fsError("EISDIR", syscall, path);
    if (!node.host) return Buffer.alloc(0);
    try {
      return await readFile(node.host);
    } catch (err) {
      // A data file lost to a crash before its write finished reads as empty rather than breaking the container.
      if (isFsError(err, "ENOENT") && node.upper) return Buffer.alloc(0);
      throw err;
    }
  }

  // ---- synchronous reads, for WASI modules whose system calls cannot wait ----

  /** statFull without waiting; undefined when the path does not exist. */
  statSync(path: string): FullStat | undefined {
    try {
      return this.full(this.existing(path, true, "stat").node, false);
    } catch (err) {
      if (isFsError(err, "ENOENT", "ENOTDIR", "ELOOP")) return undefined;
      throw err;
    }
  }

  /** lstatFull without waiting (a symlink describes itself); undefined when the path does not exist. */
  lstatSync(path: string): FullStat | undefined {
    try {
      return this.full(this.existing(path, false, "lstat").node, true);
    } catch (err) {
      if (isFsError(err, "ENOENT", "ENOTDIR", "ELOOP")) return undefined;
      throw err;
    }
  }

  /** Names and types in a directory, without waiting. */
  readdirSync(path: string): { name: string; type: NodeType }[] {
    const r = this.existing(path, true, "scandir");
    if (r.node.type !== "dir") throw fsError("ENOTDIR", "scandir", path);
    return [...this.list(r.path)].map(([name, node]) => ({ name, type: node.type }));
  }

  /** A file's bytes, without waiting. */
  readFileSync(path: string): Buffer {
    const { node } = this.existing(path, true, "open");
    if (node.type === "dir") throw fsError("EISDIR", "read", path);
    return node.host ? readFileSync(node.host) : Buffer.alloc(0);
  }

  // ---- IFileSystem ----

  async readFile(path: string, options?: ReadOptions): Promise<string> {
    const buf = await this.readFileBuffer(path);
    return buf.toString(encodingOf(options) ?? "utf8");
  }

  async readFileBytes(path: string): Promise<ByteString> {
    const buf = await this.readFileBuffer(path);
    return unsafeBytesFromLatin1(buf.toString("latin1"));
  }

  async readFileBuffer(path: string): Promise<Buffer> {
    const r = this.existing(path, true, "open");
    return this.bytesOf(r.node, path, "read");
  }

  async writeFile(path: string, content: FileContent, options?: WriteOptions): Promise<void> {
    const bytes = toBytes(content, encodingOf(options));
    const r = this.resolve(path, true, "open");
    if (r.node?.type === "dir") throw fsError("EISDIR", "open", path);
    const u = r.node?.upper;
    if (u?.type === "file" && u.data !== undefined && (this.refs.get(u.data) ?? 0) > 1) {
      // Shared with hard links: change the one file in place so every name sees it.
      const data = u.data;
      this.reserve(bytes.length - (this.sizes.get(data) ?? 0), "write", path);
      this.sizes.set(data, bytes.length);
      await writeFile(this.hostOf(data), bytes);
      u.mtime = this.now();
      this.touch();
      return;
    }
    const data = this.allocate(bytes.length, "write", path);
    try {
      await writeFile(this.hostOf(data), bytes);
    } catch (err) {
      this.release(data);
      throw err;
    }
    // Settle against the state after the write, which other calls may have changed.
    const now = this.node(r.path);
    const parent = r.path === "/" ? undefined : this.node(parentOf(r.path));
    if (now?.type === "dir" || parent?.type !== "dir") {
      this.release(data);
      throw fsError(now?.type === "dir" ? "EISDIR" : "ENOENT", "open", path);
    }
    const keep = now && now.type === "file" ? now : undefined;
    this.setUpper(r.path, { type: "file", mode: keep?.mode ?? 0o644, uid: keep?.uid ?? 0, gid: keep?.gid ?? 0, mtime: this.now(), data });
    this.release(data);
  }

  async appendFile(path: string, content: FileContent, options?: WriteOptions): Promise<void> {
    const bytes = toBytes(content, encodingOf(options));
    const r = this.resolve(path, true, "open");
    if (!r.node || r.node.type !== "file") {
      if (r.node?.type === "dir") throw fsError("EISDIR", "open", path);
      return this.writeFile(path, bytes);
    }
    this.reserve(bytes.length, "write", path);
    let e: UpperEntry;
    try {
      e = await this.mutable(r.path, r.node, "write");
    } catch (err) {
      this.used -= bytes.length;
      throw err;
    }
    if (e.type !== "file" || e.data === undefined) {
      this.used -= bytes.length;
      throw fsError(e.type === "dir" ? "EISDIR" : "EINVAL", "write", path);
    }
    const data = e.data;
    // The reservation becomes the file's growth.
    this.used -= bytes.length;
    this.resize(data, (this.sizes.get(data) ?? 0) + bytes.length);
    await appendFile(this.hostOf(data), bytes);
    e.mtime = this.now();
    this.touch();
  }

  async exists(path: string): Promise<boolean> {
    try {
      return this.resolve(path, true, "access").node !== undefined;
    } catch {
      return false;
    }
  }

  async stat(path: string): Promise<FsStat> {
    return this.stats(this.existing(path, true, "stat").node);
  }

  async lstat(path: string): Promise<FsStat> {
    return this.stats(this.existing(path, false, "lstat").node);
  }

  /** Type, permission bits, owner, size and mtime after following symlinks. */
  async statFull(path: string): Promise<FullStat> {
    return this.full(this.existing(path, true, "stat").node, false);
  }

  /** As statFull, but a symlink describes itself (with its target in `link`). */
  async lstatFull(path: string): Promise<FullStat> {
    return this.full(this.existing(path, false, "lstat").node, true);
  }

  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    if (!options?.recursive) {
      const r = this.resolve(path, false, "mkdir");
      if (r.node) throw fsError("EEXIST", "mkdir", path);
      return this.createDir(r.path);
    }
    const parts = split(normalize(path));
    let prefix = "";
    for (let i = 0; i < parts.length; i++) {
      prefix += "/" + parts[i];
      const r = this.resolve(prefix, true, "mkdir");
      if (!r.node) this.createDir(r.path);
      else if (r.node.type !== "dir") throw fsError(i === parts.length - 1 ? "EEXIST" : "ENOTDIR", "mkdir", path);
    }
  }

  private createDir(path: string, meta?: Partial<UpperEntry>) {
    this.setUpper(path, { type: "dir", mode: 0o755, uid: 0, gid: 0, mtime: this.now(), ...meta });
  }

  async readdir(path: string): Promise<string[]> {
    return (await this.readdirWithFileTypes(path)).map((d) => d.name);
  }

  async readdirWithFileTypes(path: string): Promise<DirentEntry[]> {
    const r = this.existing(path, true, "scandir");
    if (r.node.type !== "dir") throw fsError("ENOTDIR", "scandir", path);
    return [...this.list(r.path)]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, n]) => ({ name, isFile: n.type === "file", isDirectory: n.type === "dir", isSymbolicLink: n.type === "symlink" }));
  }

  async rm(path: string, options?: RmOptions): Promise<void> {
    let r: { path: string; node?: Node };
    try {
      r = this.resolve(path, false, "rm");
    } catch (err) {
      if (options?.force && isFsError(err, "ENOENT", "ENOTDIR")) return;
      throw err;
    }
    if (!r.node) {
      if (options?.force) return;
      throw fsError("ENOENT", "rm", path);
    }
    if (r.path === "/") throw fsError("EBUSY", "rm", path);
    if (r.node.type === "dir" && !options?.recursive && this.list(r.path).size > 0) throw fsError("ENOTEMPTY", "rm", path);
    this.remove(r.path);
  }

  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    const s = this.existing(src, false, "cp");
    const d = this.resolve(dest, true, "cp");
    if (s.node.type === "dir") {
      if (!options?.recursive) throw fsError("EISDIR", "cp", src);
      if (within(s.path, d.path)) throw fsError("EINVAL", "cp", src, dest);
    }
    if (d.path === s.path) return;
    await this.clone(s.path, s.node, d.path, false, "cp");
  }

  /**
   * Copies a resolved object to a resolved destination. For a move, the
   * container's own files are shared rather than copied (their data files are
   * not tied to paths) and metadata is kept; image files are always copied up.
   */
  private async clone(from: string, node: Node, to: string, move: boolean, syscall: string): Promise<void> {
    const existing = this.node(to);
    const meta = { mode: node.mode, uid: node.uid, gid: node.gid, mtime: move ? node.mtime : this.now() };
    if (node.type === "dir") {
      if (existing && existing.type !== "dir") throw fsError("ENOTDIR", syscall, to);
      if (!existing) this.createDir(to, meta);
      for (const name of this.list(from).keys()) {
        // Looked up afresh: earlier awaits may have let other calls change it.
        const kid = this.node(childOf(from, name));
        if (kid) await this.clone(childOf(from, name), kid, childOf(to, name), move, syscall);
      }
      return;
    }
    if (existing?.type === "dir") throw fsError("EISDIR", syscall, to);
    if (node.type !== "file") {
      if (existing) this.remove(to);
      this.setUpper(to, { type: node.type, ...meta, link: node.link });
      return;
    }
    if (move && node.upper?.data !== undefined) {
      if (existing) this.remove(to);
      this.setUpper(to, { type: "file", ...meta, data: node.upper.data });
      return;
    }
    const data = this.allocate(node.size, "write", to);
    try {
      if (node.host) await copyFile(node.host, this.hostOf(data));
      else await writeFile(this.hostOf(data), "");
    } catch (err) {
      this.release(data);
      throw err;
    }
    const parent = this.node(parentOf(to));
    if (parent?.type !== "dir" || this.node(to)?.type === "dir") {
      this.release(data);
      throw fsError(parent?.type !== "dir" ? "ENOENT" : "EISDIR", syscall, to);
    }
    this.remove(to);
    this.setUpper(to, { type: "file", ...meta, data });
    this.release(data);
  }

  async mv(src: string, dest: string): Promise<void> {
    const s = this.existing(src, false, "rename");
    const d = this.resolve(dest, false, "rename");
    if (d.path === s.path) return;
    if (s.path === "/") throw fsError("EBUSY", "rename", src, dest);
    if (s.node.type === "dir" && within(s.path, d.path)) throw fsError("EINVAL", "rename", src, dest);
    if (d.node) {
      if (s.node.type === "dir" && d.node.type !== "dir") throw fsError("ENOTDIR", "rename", src, dest);
      if (s.node.type !== "dir" && d.node.type === "dir") throw fsError("EISDIR", "rename", src, dest);
      if (d.node.type === "dir" && this.list(d.path).size > 0) throw fsError("ENOTEMPTY", "rename", src, dest);
      this.remove(d.path);
    }
    await this.clone(s.path, s.node, d.path, true, "rename");
    this.remove(s.path);
  }

  resolvePath(base: string, path: string): string {
    return resolveAgainst(base, path);
  }

  getAllPaths(): string[] {
    const out = ["/"];
    const walk = (dir: string) => {
      for (const [name, n] of this.list(dir)) {
        const p = childOf(dir, name);
        out.push(p);
        if (n.type === "dir") walk(p);
      }
    };
    walk("/");
    return out;
  }

  async chmod(path: string, mode: number): Promise<void> {
    const r = this.existing(path, true, "chmod");
    const e = await this.mutable(r.path, r.node, "chmod");
    e.mode = mode & 0o7777;
    this.touch();
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    const r = this.existing(path, true, "chown");
    const e = await this.mutable(r.path, r.node, "chown");
    e.uid = uid;
    e.gid = gid;
    this.touch();
  }

  async utimes(path: string, _atime: Date, mtime: Date): Promise<void> {
    const r = this.existing(path, true, "utime");
    const e = await this.mutable(r.path, r.node, "utime");
    e.mtime = mtime.getTime();
    this.touch();
  }

  async symlink(target: string, linkPath: string): Promise<void> {
    const r = this.resolve(linkPath, false, "symlink");
    if (r.node) throw fsError("EEXIST", "symlink", target, linkPath);
    this.setUpper(r.path, { type: "symlink", mode: 0o777, uid: 0, gid: 0, mtime: this.now(), link: target });
  }

  async link(existingPath: string, newPath: string): Promise<void> {
    const s = this.existing(existingPath, true, "link");
    if (s.node.type === "dir") throw fsError("EPERM", "link", existingPath, newPath);
    if (this.resolve(newPath, false, "link").node) throw fsError("EEXIST", "link", existingPath, newPath);
    const e = await this.mutable(s.path, s.node, "link");
    const d = this.resolve(newPath, false, "link");
    if (d.node) throw fsError("EEXIST", "link", existingPath, newPath);
    this.setUpper(d.path, { ...e });
  }

  async readlink(path: string): Promise<string> {
    const r = this.existing(path, false, "readlink");
    if (r.node.type !== "symlink") throw fsError("EINVAL", "readlink", path);
    return r.node.link ?? "";
  }

  async realpath(path: string): Promise<string> {
    return this.existing(path, true, "realpath").path;
  }
}
