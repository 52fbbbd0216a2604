import { closeSync, constants, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, type Stats } from "node:fs";
import { chmod, chown, link, lstat, mkdir, open, readdir, readlink, rename, rm, symlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { FullStat } from "./container-fs.js";
import type { NodeType } from "./lower.js";
import { fsError, type FsErrorCode } from "./paths.js";

const KNOWN: FsErrorCode[] = ["ENOENT", "EEXIST", "ENOTDIR", "EISDIR", "ENOTEMPTY", "ELOOP", "EINVAL", "EPERM", "ENOSPC", "EBUSY", "EROFS", "EXDEV", "EACCES"];

/** A host error retold with the container's path, so no host path reaches the container. */
function retold(err: unknown, syscall: string, shown: string): NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException).code as FsErrorCode | undefined;
  return fsError(code && KNOWN.includes(code) ? code : "EIO", syscall, shown);
}

function typeOf(s: Stats): NodeType {
  if (s.isDirectory()) return "dir";
  if (s.isSymbolicLink()) return "symlink";
  if (s.isFIFO()) return "fifo";
  return "file";
}

export function fullStat(s: Stats, link?: string): FullStat {
  const out: FullStat = { type: typeOf(s), mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, size: s.size, mtime: s.mtime };
  if (link !== undefined) out.link = link;
  return out;
}

/**
 * A host directory shown inside a container (a volume or a permitted bind
 * source). Paths are relative to it and come resolved by the container's
 * view, so no step but the last may be a symlink; each step is checked again
 * here and final steps are never followed, so nothing leaves the directory.
 */
export class HostDir {
  constructor(readonly root: string) {}

  /** The host path of `rel` once every step above it is a real directory. */
  private path(rel: string, syscall: string, shown: string): string {
    const parts = rel.split("/").filter(Boolean);
    if (parts.some((p) => p === ".." || p === ".")) throw fsError("EINVAL", syscall, shown);
    let dir = this.root;
    for (const part of parts.slice(0, -1)) {
      dir = join(dir, part);
      let s: Stats;
      try {
        s = lstatSync(dir);
      } catch (err) {
        throw retold(err, syscall, shown);
      }
      if (!s.isDirectory()) throw fsError("ENOTDIR", syscall, shown);
    }
    return parts.length ? join(dir, parts[parts.length - 1]) : this.root;
  }

  private async run<T>(syscall: string, shown: string, rel: string, op: (host: string) => Promise<T>): Promise<T> {
    const host = this.path(rel, syscall, shown);
    try {
      return await op(host);
    } catch (err) {
      throw retold(err, syscall, shown);
    }
  }

  private sync<T>(syscall: string, shown: string, rel: string, op: (host: string) => T): T {
    const host = this.path(rel, syscall, shown);
    try {
      return op(host);
    } catch (err) {
      throw retold(err, syscall, shown);
    }
  }

  /** The object itself, a symlink not followed; undefined when missing. */
  lstat(rel: string, shown: string): (FullStat & { identity: string }) | undefined {
    try {
      return this.sync("lstat", shown, rel, (host) => {
        const s = lstatSync(host);
        return { ...fullStat(s, s.isSymbolicLink() ? readlinkSync(host) : undefined), identity: `host:${s.dev}:${s.ino}` };
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  readdir(rel: string, shown: string): { name: string; type: NodeType }[] {
    return this.sync("scandir", shown, rel, (host) =>
      readdirSync(host, { withFileTypes: true })
        .map((d) => ({ name: d.name, type: (d.isDirectory() ? "dir" : d.isSymbolicLink() ? "symlink" : d.isFIFO() ? "fifo" : "file") as NodeType }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );
  }

  readSync(rel: string, shown: string): Buffer {
    return this.sync("open", shown, rel, (host) => {
      const fd = openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return readFileSync(fd);
      } finally {
        closeSync(fd);
      }
    });
  }

  read(rel: string, shown: string): Promise<Buffer> {
    return this.run("open", shown, rel, async (host) => {
      const handle = await open(host, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    });
  }

  write(rel: string, shown: string, data: Uint8Array, append: boolean): Promise<void> {
    return this.run("open", shown, rel, async (host) => {
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (append ? constants.O_APPEND : constants.O_TRUNC);
      const handle = await open(host, flags, 0o644);
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    });
  }

  mkdir(rel: string, shown: string, mode = 0o755): Promise<void> {
    return this.run("mkdir", shown, rel, async (host) => void (await mkdir(host, { mode })));
  }

  rm(rel: string, shown: string, recursive: boolean): Promise<void> {
    return this.run("rm", shown, rel, async (host) => {
      const s = await lstat(host);
      if (s.isDirectory() && !recursive && (await readdir(host)).length) throw fsError("ENOTEMPTY", "rm", shown);
      // rm removes a symlink itself, never what it points to.
      await rm(host, { recursive: true, force: false });
    });
  }

  rename(from: string, to: string, shownFrom: string, shownTo: string): Promise<void> {
    const target = this.path(to, "rename", shownTo);
    return this.run("rename", shownFrom, from, (host) => rename(host, target));
  }

  symlink(rel: string, shown: string, target: string): Promise<void> {
    return this.run("symlink", shown, rel, (host) => symlink(target, host));
  }

  link(from: string, to: string, shownFrom: string, shownTo: string): Promise<void> {
    const target = this.path(to, "link", shownTo);
    return this.run("link", shownFrom, from, (host) => link(host, target));
  }

  readlink(rel: string, shown: string): Promise<string> {
    return this.run("readlink", shown, rel, (host) => readlink(host));
  }

  /** Mode, owner and times of an object that is not a symlink (resolution has followed any final link). */
  setMeta(rel: string, shown: string, meta: { mode?: number; uid?: number; gid?: number; mtime?: Date }): Promise<void> {
    return this.run("chmod", shown, rel, async (host) => {
      if ((await lstat(host)).isSymbolicLink()) throw fsError("ELOOP", "chmod", shown);
      if (meta.mode !== undefined) await chmod(host, meta.mode & 0o7777);
      if (meta.uid !== undefined && meta.gid !== undefined) await chown(host, meta.uid, meta.gid);
      if (meta.mtime !== undefined) await utimes(host, meta.mtime, meta.mtime);
    });
  }
}
