import { posix } from "node:path";
import { Readable } from "node:stream";
import tar from "tar-stream";
import type { ContainerFiles, FileChange, FileInfo } from "../backend.js";
import { EngineError, type EngineClient } from "./engine-client.js";

type Header = tar.Header;

const UNKNOWN = Symbol("unknown");

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
 * take the entries of GET archive, writes are queued and sent as one archive
 * before the next read, removal runs `rm` in the running container. engine/
 * keeps docker cp's own rules.
 */
export class EngineFiles implements ContainerFiles {
  /**
   * Paths removed from a container that is not running: nothing can delete
   * there, but an archive entry of another type replaces a path whole, so the
   * removal is carried out by the next write at that path.
   */
  private readonly removed = new Set<string>();
  /** Entries waiting to go to the engine in one archive: a copy of many files is one request. */
  private readonly batch: { header: Partial<Header> & { name: string }; data?: Buffer }[] = [];
  /** What this session wrote, by path: its own writes need not be asked back. */
  private readonly written = new Map<string, FileInfo>();
  /** Directories this session made: nothing is in them but what it wrote. */
  private readonly fresh = new Set<string>();

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

  /** What this session already knows of a path without asking the engine. */
  private known(path: string): FileInfo | undefined | typeof UNKNOWN {
    const p = posix.normalize(path);
    if (this.isRemoved(p)) return undefined;
    if (this.written.has(p)) return this.written.get(p);
    if (this.fresh.has(posix.dirname(p))) return undefined;
    return UNKNOWN;
  }

  /** Sends the queued entries as one archive. */
  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const entries = this.batch.splice(0);
    const pack = tar.pack();
    for (const { header, data } of entries) {
      if (data) pack.entry(header, data);
      else pack.entry(header);
    }
    pack.finalize();
    try {
      await this.client.stream("PUT", `/containers/${this.container}/archive?path=/`, Readable.from(pack), { "Content-Type": "application/x-tar" }).then((r) => r.resume());
    } catch (err) {
      this.written.clear();
      this.fresh.clear();
      if (err instanceof EngineError && /no space/i.test(err.message)) throw fsError("ENOSPC", err.message);
      throw err;
    }
  }

  /** Sends what is queued and fails when a removal was left without a write to carry it out. */
  async finish(): Promise<void> {
    await this.flush();
    if (this.removed.size === 0) return;
    const [first] = this.removed;
    throw fsError("ENOTSUP", `removing ${first} from a container that is not running is not supported by the docker backend`);
  }

  async lstat(path: string): Promise<FileInfo | undefined> {
    const known = this.known(path);
    if (known !== UNKNOWN) return known;
    await this.flush();
    let info: FileInfo | undefined;
    const found = await this.walk(path, async (h) => {
      info = infoOf(h);
      return false;
    });
    return found && info;
  }

  async readdir(path: string): Promise<string[]> {
    if (this.isRemoved(path)) throw fsError("ENOENT", `no such file or directory: ${path}`);
    await this.flush();
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
    await this.flush();
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

  /** Queues one entry at `path`, named relative to the root so hard links can name any file. */
  private queue(path: string, header: Omit<Partial<Header>, "name">, data?: Buffer): void {
    const p = posix.normalize(path);
    const name = p.replace(/^\/+/, "");
    if (this.removed.delete(p)) {
      // An entry of another type first makes the engine remove what is there, whatever it is.
      this.batch.push({ header: header.type === "directory" ? { name, type: "file", size: 0 } : { name, type: "directory" } });
    }
    this.batch.push({ header: { ...header, name }, data });
    if (header.type === "link") this.written.delete(p);
    else this.written.set(p, infoOf({ mode: 0, uid: 0, gid: 0, size: data?.length ?? 0, mtime: new Date(), ...header, name } as Header));
  }

  async mkdir(path: string): Promise<void> {
    if (await this.lstat(path)) throw fsError("EEXIST", `file exists: ${path}`);
    this.queue(path, { type: "directory", mode: 0o755 });
    this.fresh.add(posix.normalize(path));
  }

  async write(path: string, data: Buffer, append: boolean): Promise<void> {
    const before = await this.lstat(path);
    const content = append && before ? Buffer.concat([await this.read(path), data]) : data;
    this.queue(path, { type: "file", mode: before?.mode ?? 0o644, uid: before?.uid ?? 0, gid: before?.gid ?? 0, size: content.length }, content);
  }

  async symlink(path: string, target: string): Promise<void> {
    this.queue(path, { type: "symlink", linkname: target, mode: 0o777 });
  }

  async link(path: string, target: string): Promise<void> {
    this.queue(path, { type: "link", linkname: target.replace(/^\/+/, "") });
  }

  async setMeta(path: string, meta: { mode: number; uid: number; gid: number; mtime: number }): Promise<void> {
    const header = { mode: meta.mode, uid: meta.uid, gid: meta.gid, mtime: new Date(meta.mtime) };
    const name = posix.normalize(path).replace(/^\/+/, "");
    const queued = [...this.batch].reverse().find((e) => e.header.name === name);
    if (queued && queued.header.type !== "link" && queued.header.type !== "symlink") {
      Object.assign(queued.header, header);
      this.written.set(posix.normalize(path), infoOf(queued.header as Header));
      return;
    }
    const info = await this.lstat(path);
    if (!info) throw fsError("ENOENT", `no such file or directory: ${path}`);
    if (info.type === "dir") return this.queue(path, { ...header, type: "directory" });
    if (info.type === "fifo") return this.queue(path, { ...header, type: "fifo" });
    const content = await this.read(path);
    this.queue(path, { ...header, type: "file", size: content.length }, content);
  }

  async remove(path: string): Promise<void> {
    if (!(await this.lstat(path))) return;
    await this.flush();
    const p = posix.normalize(path);
    const under = (known: string) => known === p || known.startsWith(`${p}/`);
    for (const known of [...this.written.keys()].filter(under)) this.written.delete(known);
    for (const known of [...this.fresh].filter(under)) this.fresh.delete(known);
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
    await this.flush();
    const list = await this.client.call<{ Path: string; Kind: 0 | 1 | 2 }[] | null>("GET", `/containers/${this.container}/changes`);
    return (list ?? []).map((c) => ({ path: c.Path, kind: c.Kind }));
  }
}
