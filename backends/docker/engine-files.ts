import { posix } from "node:path";
import { Readable } from "node:stream";
import tar from "tar-stream";
import type { ContainerFiles, FileChange, FileInfo } from "../backend.js";
import { EngineError, type EngineClient } from "./engine-client.js";

type Header = tar.Header;

function fsError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function infoOf(h: Header): FileInfo {
  const type = h.type === "directory" ? "dir" : h.type === "symlink" ? "symlink" : h.type === "fifo" ? "fifo" : "file";
  // A symlink's size is its target's length, as lstat reports it.
  const size = type === "symlink" ? Buffer.byteLength(h.linkname ?? "") : (h.size ?? 0);
  return { type, mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, size, mtime: h.mtime?.getTime() ?? 0, ...(h.linkname ? { link: h.linkname } : {}) };
}

/**
 * A container's files on the engine, through its archive endpoints: reads
 * take the entries of GET archive, writes put one-entry archives, removal
 * runs `rm` in the running container. engine/ keeps docker cp's own rules.
 */
export class EngineFiles implements ContainerFiles {
  /**
   * Paths removed from a container that is not running: nothing can delete
   * there, but an archive entry of another type replaces a path whole, so the
   * removal is carried out by the next write at that path.
   */
  private readonly removed = new Set<string>();

  constructor(
    private readonly client: EngineClient,
    private readonly container: string,
    /** Whether the container runs, so a command can remove files. */
    private readonly running: () => Promise<boolean>,
  ) {}

  /** Walks the archive of `path`; `visit` returns false to stop early. Undefined when the path does not exist. */
  private async walk(path: string, visit: (h: Header, body: AsyncIterable<unknown>) => Promise<boolean>): Promise<true | undefined> {
    let res;
    try {
      res = await this.client.stream("GET", `/containers/${this.container}/archive?path=${encodeURIComponent(path)}`);
    } catch (err) {
      if (err instanceof EngineError && err.status === 404) return undefined;
      throw err;
    }
    const extract = tar.extract();
    res.pipe(extract);
    try {
      for await (const entry of extract) {
        const more = await visit(entry.header, entry);
        entry.resume();
        if (!more) break;
      }
    } finally {
      res.destroy();
    }
    return true;
  }

  private isRemoved(path: string): boolean {
    for (let p = posix.normalize(path); ; p = posix.dirname(p)) {
      if (this.removed.has(p)) return true;
      if (p === "/" || p === ".") return false;
    }
  }

  /** Fails when a removal was left without a write to carry it out. */
  finish(): void {
    if (this.removed.size === 0) return;
    const [first] = this.removed;
    throw fsError("ENOTSUP", `removing ${first} from a container that is not running is not supported by the docker backend`);
  }

  async lstat(path: string): Promise<FileInfo | undefined> {
    if (this.isRemoved(path)) return undefined;
    let info: FileInfo | undefined;
    const found = await this.walk(path, async (h) => {
      info = infoOf(h);
      return false;
    });
    return found && info;
  }

  async readdir(path: string): Promise<string[]> {
    if (this.isRemoved(path)) throw fsError("ENOENT", `no such file or directory: ${path}`);
    const names = new Set<string>();
    let first = true;
    const found = await this.walk(path, async (h) => {
      if (first && h.type !== "directory") throw fsError("ENOTDIR", `not a directory: ${path}`);
      first = false;
      const parts = h.name.replace(/\/$/, "").split("/");
      if (parts.length === 2) names.add(parts[1]);
      return true;
    });
    if (!found) throw fsError("ENOENT", `no such file or directory: ${path}`);
    return [...names].sort();
  }

  async read(path: string): Promise<Buffer> {
    let data: Buffer | undefined;
    const found = await this.walk(path, async (h, body) => {
      if (h.type === "directory") throw fsError("EISDIR", `is a directory: ${path}`);
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      data = Buffer.concat(chunks);
      return false;
    });
    if (!found || !data) throw fsError("ENOENT", `no such file or directory: ${path}`);
    return data;
  }

  /** Puts one entry at `path`, named relative to the root so hard links can name any file. */
  private async put(path: string, header: Omit<Partial<Header>, "name">, data?: Buffer): Promise<void> {
    const pack = tar.pack();
    const entry = { ...header, name: path.replace(/^\/+/, "") };
    if (this.removed.delete(posix.normalize(path))) {
      // An entry of another type first makes the engine remove what is there, whatever it is.
      pack.entry(header.type === "directory" ? { name: entry.name, type: "file", size: 0 } : { name: entry.name, type: "directory" });
    }
    if (data) pack.entry(entry, data);
    else pack.entry(entry);
    pack.finalize();
    try {
      await this.client.stream("PUT", `/containers/${this.container}/archive?path=/`, Readable.from(pack), { "Content-Type": "application/x-tar" }).then((r) => r.resume());
    } catch (err) {
      if (err instanceof EngineError && /no space/i.test(err.message)) throw fsError("ENOSPC", err.message);
      throw err;
    }
  }

  async mkdir(path: string): Promise<void> {
    if (await this.lstat(path)) throw fsError("EEXIST", `file exists: ${path}`);
    await this.put(path, { type: "directory", mode: 0o755 });
  }

  async write(path: string, data: Buffer, append: boolean): Promise<void> {
    const before = await this.lstat(path);
    const content = append && before ? Buffer.concat([await this.read(path), data]) : data;
    await this.put(path, { type: "file", mode: before?.mode ?? 0o644, uid: before?.uid ?? 0, gid: before?.gid ?? 0, size: content.length }, content);
  }

  async symlink(path: string, target: string): Promise<void> {
    await this.put(path, { type: "symlink", linkname: target, mode: 0o777 });
  }

  async link(path: string, target: string): Promise<void> {
    await this.put(path, { type: "link", linkname: target.replace(/^\/+/, "") });
  }

  async setMeta(path: string, meta: { mode: number; uid: number; gid: number; mtime: number }): Promise<void> {
    const info = await this.lstat(path);
    if (!info) throw fsError("ENOENT", `no such file or directory: ${path}`);
    const header = { mode: meta.mode, uid: meta.uid, gid: meta.gid, mtime: new Date(meta.mtime) };
    if (info.type === "dir") return this.put(path, { ...header, type: "directory" });
    if (info.type === "fifo") return this.put(path, { ...header, type: "fifo" });
    const content = await this.read(path);
    await this.put(path, { ...header, type: "file", size: content.length }, content);
  }

  async remove(path: string): Promise<void> {
    if (!(await this.lstat(path))) return;
    if (!(await this.running())) {
      this.removed.add(posix.normalize(path));
      return;
    }
    const exec = await this.client.call<{ Id: string }>("POST", `/containers/${this.container}/exec`, { Cmd: ["rm", "-rf", "--", posix.normalize(path)], AttachStdout: true, AttachStderr: true });
    const res = await this.client.stream("POST", `/exec/${exec.Id}/start`, Buffer.from(JSON.stringify({ Detach: false, Tty: false })), { "Content-Type": "application/json" });
    for await (const _ of res) void _;
    const done = await this.client.call<{ ExitCode: number }>("GET", `/exec/${exec.Id}/json`);
    if (done.ExitCode !== 0) throw fsError("EIO", `rm -rf ${path} in the container ended with exit code ${done.ExitCode}`);
  }

  async changes(): Promise<FileChange[]> {
    const list = await this.client.call<{ Path: string; Kind: 0 | 1 | 2 }[] | null>("GET", `/containers/${this.container}/changes`);
    return (list ?? []).map((c) => ({ path: c.Path, kind: c.Kind }));
  }
}
