import { unsafeBytesFromLatin1, type ByteString, type CpOptions, type FileContent, type FsStat, type IFileSystem, type MkdirOptions, type RmOptions } from "just-bash";
import type { ContainerFs, FullStat } from "./container-fs.js";
import type { HostDir } from "./host-dir.js";
import type { NodeType } from "./lower.js";
import { childOf, fsError, isFsError, normalize, resolveAgainst, resolveInRoot, split, within } from "./paths.js";

type ReadOptions = Parameters<IFileSystem["readFile"]>[1];
type WriteOptions = Parameters<IFileSystem["writeFile"]>[2];
type DirentEntry = Awaited<ReturnType<NonNullable<IFileSystem["readdirWithFileTypes"]>>>[number];
type Node = FullStat & { identity?: string };

/** A host directory shown at `destination` inside the container. */
export interface FsMount {
  destination: string;
  dir: HostDir;
  readOnly: boolean;
}

/** Where a resolved container path lives: in a mount (relative path `rel`) or in the container's own file system. */
interface Place {
  path: string;
  mount?: FsMount;
  rel: string;
}

function toBytes(content: FileContent, options: WriteOptions | undefined): Buffer {
  if (typeof content !== "string") return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const encoding = typeof options === "string" ? options : options?.encoding;
  return Buffer.from(content, (encoding ?? "utf8") as BufferEncoding);
}

function toFsStat(n: Node): FsStat {
  return { isFile: n.type === "file", isDirectory: n.type === "dir", isSymbolicLink: n.type === "symlink", mode: n.mode, size: n.size, mtime: n.mtime, ...(n.identity ? { identity: n.identity } : {}) };
}

/**
 * A container's file system with volumes, binds and tmpfs mounted: paths at
 * or below a mount point go to that mount's host directory, everything else
 * to the container's copy-on-write file system. Paths are resolved here, step
 * by step across both (symlinks stay inside the container root), so a
 * symlink in a volume can never reach a host path.
 */
export class MountedFs implements IFileSystem {
  private readonly mounts: FsMount[];

  constructor(
    readonly root: ContainerFs,
    mounts: FsMount[],
  ) {
    // Longest destination first, so a mount inside another wins.
    this.mounts = [...mounts].sort((a, b) => b.destination.length - a.destination.length);
  }

  private place(path: string): Place {
    for (const m of this.mounts) if (within(m.destination, path)) return { path, mount: m, rel: path === m.destination ? "" : path.slice(m.destination.length + 1) };
    return { path, rel: path };
  }

  private lnode(path: string): Node | undefined {
    const p = this.place(path);
    return p.mount ? p.mount.dir.lstat(p.rel, path) : this.root.lstatSync(path);
  }

  /** As ContainerFs resolves (resolveInRoot), with each step looked up through the mounts. */
  private resolve(path: string, follow: boolean, syscall: string): { place: Place; node?: Node } {
    const r = resolveInRoot(path, follow, syscall, (p) => this.lnode(p));
    return { place: this.place(r.path), node: r.node };
  }

  private existing(path: string, follow: boolean, syscall: string): { place: Place; node: Node } {
    const r = this.resolve(path, follow, syscall);
    if (!r.node) throw fsError("ENOENT", syscall, path);
    return r as { place: Place; node: Node };
  }

  private writable(p: Place, syscall: string): void {
    if (p.mount?.readOnly) throw fsError("EROFS", syscall, p.path);
  }

  /** A mount point, or a directory holding one, cannot be removed or moved away. */
  private holdsMount(path: string): boolean {
    return this.mounts.some((m) => within(path, m.destination));
  }

  // ---- reads ----

  statSync(path: string): FullStat | undefined {
    try {
      return this.existing(path, true, "stat").node;
    } catch (err) {
      if (isFsError(err, "ENOENT", "ENOTDIR", "ELOOP")) return undefined;
      throw err;
    }
  }

  lstatSync(path: string): FullStat | undefined {
    try {
      return this.existing(path, false, "lstat").node;
    } catch (err) {
      if (isFsError(err, "ENOENT", "ENOTDIR", "ELOOP")) return undefined;
      throw err;
    }
  }

  readdirSync(path: string): { name: string; type: NodeType }[] {
    const { place, node } = this.existing(path, true, "scandir");
    if (node.type !== "dir") throw fsError("ENOTDIR", "scandir", path);
    return place.mount ? place.mount.dir.readdir(place.rel, path) : this.root.readdirSync(place.path);
  }

  readFileSync(path: string): Buffer {
    const { place, node } = this.existing(path, true, "open");
    if (node.type === "dir") throw fsError("EISDIR", "read", path);
    return place.mount ? place.mount.dir.readSync(place.rel, path) : this.root.readFileSync(place.path);
  }

  async readFileBuffer(path: string): Promise<Buffer> {
    const { place, node } = this.existing(path, true, "open");
    if (node.type === "dir") throw fsError("EISDIR", "read", path);
    return place.mount ? place.mount.dir.read(place.rel, path) : this.root.readFileBuffer(place.path);
  }

  async readFile(path: string, options?: ReadOptions): Promise<string> {
    const encoding = typeof options === "string" ? options : options?.encoding;
    return (await this.readFileBuffer(path)).toString((encoding ?? "utf8") as BufferEncoding);
  }

  async readFileBytes(path: string): Promise<ByteString> {
    return unsafeBytesFromLatin1((await this.readFileBuffer(path)).toString("latin1"));
  }

  async exists(path: string): Promise<boolean> {
    try {
      return this.resolve(path, true, "access").node !== undefined;
    } catch {
      return false;
    }
  }

  async stat(path: string): Promise<FsStat> {
    return toFsStat(this.existing(path, true, "stat").node);
  }

  async lstat(path: string): Promise<FsStat> {
    return toFsStat(this.existing(path, false, "lstat").node);
  }

  async statFull(path: string): Promise<FullStat> {
    const { link: _link, identity: _identity, ...rest } = this.existing(path, true, "stat").node;
    return rest;
  }

  async lstatFull(path: string): Promise<FullStat> {
    const { identity: _identity, ...rest } = this.existing(path, false, "lstat").node;
    return rest;
  }

  async readdir(path: string): Promise<string[]> {
    return this.readdirSync(path).map((e) => e.name);
  }

  async readdirWithFileTypes(path: string): Promise<DirentEntry[]> {
    return this.readdirSync(path).map((e) => ({ name: e.name, isFile: e.type === "file", isDirectory: e.type === "dir", isSymbolicLink: e.type === "symlink" }));
  }

  async readlink(path: string): Promise<string> {
    const { node } = this.existing(path, false, "readlink");
    if (node.type !== "symlink") throw fsError("EINVAL", "readlink", path);
    return node.link ?? "";
  }

  async realpath(path: string): Promise<string> {
    return this.existing(path, true, "realpath").place.path;
  }

  resolvePath(base: string, path: string): string {
    return resolveAgainst(base, path);
  }

  getAllPaths(): string[] {
    const out = ["/"];
    const walk = (dir: string) => {
      for (const e of this.readdirSync(dir)) {
        const p = childOf(dir, e.name);
        out.push(p);
        if (e.type === "dir") walk(p);
      }
    };
    walk("/");
    return out;
  }

  // ---- writes ----

  async writeFile(path: string, content: FileContent, options?: WriteOptions): Promise<void> {
    const { place, node } = this.resolve(path, true, "open");
    if (node?.type === "dir") throw fsError("EISDIR", "open", path);
    this.writable(place, "open");
    const bytes = toBytes(content, options);
    if (place.mount) return place.mount.dir.write(place.rel, path, bytes, false);
    return this.root.writeFile(place.path, bytes);
  }

  async appendFile(path: string, content: FileContent, options?: WriteOptions): Promise<void> {
    const { place, node } = this.resolve(path, true, "open");
    if (node?.type === "dir") throw fsError("EISDIR", "open", path);
    this.writable(place, "open");
    const bytes = toBytes(content, options);
    if (place.mount) return place.mount.dir.write(place.rel, path, bytes, true);
    return this.root.appendFile(place.path, bytes);
  }

  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    if (!options?.recursive) {
      const { place, node } = this.resolve(path, false, "mkdir");
      if (node) throw fsError("EEXIST", "mkdir", path);
      return this.createDir(place);
    }
    const parts = split(normalize(path));
    let prefix = "";
    for (let i = 0; i < parts.length; i++) {
      prefix += "/" + parts[i];
      const { place, node } = this.resolve(prefix, true, "mkdir");
      if (!node) await this.createDir(place);
      else if (node.type !== "dir") throw fsError(i === parts.length - 1 ? "EEXIST" : "ENOTDIR", "mkdir", path);
    }
  }

  private async createDir(place: Place, mode?: number): Promise<void> {
    this.writable(place, "mkdir");
    if (place.mount) return place.mount.dir.mkdir(place.rel, place.path, mode);
    return this.root.mkdir(place.path);
  }

  async rm(path: string, options?: RmOptions): Promise<void> {
    let r: { place: Place; node?: Node };
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
    if (this.holdsMount(r.place.path)) throw fsError("EBUSY", "rm", path);
    this.writable(r.place, "rm");
    if (r.place.mount) return r.place.mount.dir.rm(r.place.rel, path, Boolean(options?.recursive));
    return this.root.rm(r.place.path, options);
  }

  async chmod(path: string, mode: number): Promise<void> {
    const { place } = this.existing(path, true, "chmod");
    this.writable(place, "chmod");
    if (place.mount) return place.mount.dir.setMeta(place.rel, path, { mode });
    return this.root.chmod(place.path, mode);
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    const { place } = this.existing(path, true, "chown");
    this.writable(place, "chown");
    if (place.mount) return place.mount.dir.setMeta(place.rel, path, { uid, gid });
    return this.root.chown(place.path, uid, gid);
  }

  async utimes(path: string, atime: Date, mtime: Date): Promise<void> {
    const { place } = this.existing(path, true, "utime");
    this.writable(place, "utime");
    if (place.mount) return place.mount.dir.setMeta(place.rel, path, { mtime });
    return this.root.utimes(place.path, atime, mtime);
  }

  async symlink(target: string, linkPath: string): Promise<void> {
    const { place, node } = this.resolve(linkPath, false, "symlink");
    if (node) throw fsError("EEXIST", "symlink", target, linkPath);
    this.writable(place, "symlink");
    if (place.mount) return place.mount.dir.symlink(place.rel, linkPath, target);
    return this.root.symlink(target, place.path);
  }

  async link(existingPath: string, newPath: string): Promise<void> {
    const s = this.existing(existingPath, true, "link");
    const d = this.resolve(newPath, false, "link");
    if (d.node) throw fsError("EEXIST", "link", existingPath, newPath);
    if (s.place.mount !== d.place.mount) throw fsError("EXDEV", "link", existingPath, newPath);
    this.writable(d.place, "link");
    if (d.place.mount) return d.place.mount.dir.link(s.place.rel, d.place.rel, existingPath, newPath);
    return this.root.link(s.place.path, d.place.path);
  }

  /** Whether both paths and everything below them live in the container's own file system. */
  private allRoot(...paths: string[]): boolean {
    return paths.every((p) => !this.place(p).mount && !this.holdsMount(p));
  }

  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    const s = this.existing(src, false, "cp");
    const d = this.resolve(dest, true, "cp");
    if (s.node.type === "dir") {
      if (!options?.recursive) throw fsError("EISDIR", "cp", src);
      if (within(s.place.path, d.place.path)) throw fsError("EINVAL", "cp", src, dest);
    }
    if (d.place.path === s.place.path) return;
    if (this.allRoot(s.place.path, d.place.path)) return this.root.cp(s.place.path, d.place.path, options);
    await this.copy(s.place.path, s.node, d.place.path, false);
  }

  async mv(src: string, dest: string): Promise<void> {
    const s = this.existing(src, false, "rename");
    const d = this.resolve(dest, false, "rename");
    if (d.place.path === s.place.path) return;
    if (s.place.path === "/" || this.holdsMount(s.place.path)) throw fsError("EBUSY", "rename", src, dest);
    if (s.node.type === "dir" && within(s.place.path, d.place.path)) throw fsError("EINVAL", "rename", src, dest);
    this.writable(s.place, "rename");
    this.writable(d.place, "rename");
    if (this.allRoot(s.place.path, d.place.path)) return this.root.mv(s.place.path, d.place.path);
    if (d.node) {
      if (s.node.type === "dir" && d.node.type !== "dir") throw fsError("ENOTDIR", "rename", src, dest);
      if (s.node.type !== "dir" && d.node.type === "dir") throw fsError("EISDIR", "rename", src, dest);
      if (d.node.type === "dir" && this.readdirSync(d.place.path).length > 0) throw fsError("ENOTEMPTY", "rename", src, dest);
      if (this.holdsMount(d.place.path)) throw fsError("EBUSY", "rename", src, dest);
    }
    if (s.place.mount && s.place.mount === d.place.mount) return s.place.mount.dir.rename(s.place.rel, d.place.rel, src, dest);
    // Across mounts, as mv(1) does after EXDEV: copy with metadata, then remove the source.
    if (d.node) await this.rm(d.place.path, { recursive: true });
    await this.copy(s.place.path, s.node, d.place.path, true);
    await this.rm(s.place.path, { recursive: true });
  }

  /** Copies a resolved object to a resolved destination through this view, so either side may be a mount. */
  private async copy(from: string, node: Node, to: string, keepMeta: boolean): Promise<void> {
    const existing = this.lnode(to);
    const place = this.place(to);
    this.writable(place, "cp");
    if (node.type === "dir") {
      if (existing && existing.type !== "dir") throw fsError("ENOTDIR", "cp", to);
      if (!existing) await this.createDir(place, node.mode);
      for (const e of this.readdirSync(from)) {
        const kid = this.lnode(childOf(from, e.name));
        if (kid) await this.copy(childOf(from, e.name), kid, childOf(to, e.name), keepMeta);
      }
    } else if (node.type === "symlink") {
      if (existing) await this.rm(to, { recursive: true });
      await this.symlink(node.link ?? "", to);
      return;
    } else {
      if (existing?.type === "dir") throw fsError("EISDIR", "cp", to);
      await this.writeFile(to, await this.readFileBuffer(from));
    }
    if (keepMeta) {
      await this.chmod(to, node.mode);
      await this.utimes(to, node.mtime, node.mtime);
    }
  }

  async flush(): Promise<void> {
    await this.root.flush();
  }
}

/** Ensures every mount point exists as a directory in the container's own file system, as dockerd creates them. */
export async function createMountPoints(root: ContainerFs, destinations: string[]): Promise<void> {
  for (const dest of destinations) {
    const s = root.statSync(dest);
    if (s && s.type !== "dir") throw fsError("ENOTDIR", "mount", dest);
    if (!s) await root.mkdir(dest, { recursive: true });
  }
}

/**
 * Fills an empty volume with what the image has at its mount point (the
 * container's own view before mounting), as dockerd does on a volume's first use.
 */
export async function copyImageContent(root: ContainerFs, destination: string, dir: HostDir): Promise<void> {
  const top = root.statSync(destination);
  if (!top || top.type !== "dir" || dir.readdir("", destination).length > 0) return;
  const copy = async (path: string, rel: string) => {
    for (const name of (await root.readdir(path))) {
      const child = childOf(path, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const s = await root.lstatFull(child);
      if (s.type === "dir") {
        await dir.mkdir(childRel, child, s.mode);
        await copy(child, childRel);
      } else if (s.type === "symlink") await dir.symlink(childRel, child, s.link ?? "");
      else if (s.type === "file") await dir.write(childRel, child, await root.readFileBuffer(child), false);
      else continue;
      if (s.type !== "symlink") await dir.setMeta(childRel, child, { mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtime });
    }
  };
  await copy(destination, "");
  await dir.setMeta("", destination, { mode: top.mode, uid: top.uid, gid: top.gid });
}

