import { Readable } from "node:stream";
import tar from "tar-stream";
import type { Backend, ContainerFiles, FileChange, FileInfo } from "../../backends/backend.js";
import { ConflictError, InvalidParameterError, NotFoundError, NotImplementedError, SystemError } from "../errors.js";
import { absolute, base, clean, dir, goFileMode, goTime, namesDirectory } from "./archive-path.js";
import { packTree } from "./archive-tar.js";
import { decompressed, extractTar } from "./archive-extract.js";
import { containerUser } from "./archive-user.js";
import type { Container, ContainerManager } from "./manager.js";

/** What X-Docker-Container-Path-Stat carries. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

const MAX_LINK_HOPS = 255;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/**
 * Resolves every symlink of `path` inside the container root, as moby's
 * FollowSymlinkInScope: absolute targets restart at the root, ".." stops
 * there, and missing steps are kept, so a dangling link resolves to where
 * its target would be.
 */
export async function resolveInScope(files: ContainerFiles, path: string): Promise<string> {
  let parts = clean(path).split("/").filter(Boolean);
  let done: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const name = parts.shift()!;
    if (name === "..") {
      done.pop();
      continue;
    }
    const cur = "/" + [...done, name].join("/");
    let info: FileInfo | undefined;
    try {
      info = await files.lstat(cur);
    } catch (err) {
      if (code(err) !== "ENOTDIR") throw err;
    }
    if (info?.type === "symlink") {
      if (++hops > MAX_LINK_HOPS) throw new SystemError(`too many links in ${path}`);
      const target = info.link ?? "";
      if (target.startsWith("/")) done = [];
      parts = [...target.split("/").filter((p) => p !== "" && p !== "."), ...parts];
      continue;
    }
    done.push(name);
  }
  return "/" + done.join("/");
}

/**
 * docker cp, export and diff with dockerd's rules (daemon/archive*.go,
 * go-archive): path forms, the stat header, tar layout, extraction checks
 * and the changes list. The backend only reads and writes files.
 */
export class ContainerArchive {
  constructor(
    private readonly containers: ContainerManager,
    private readonly backend: Backend,
  ) {}

  private files<T>(c: Container, use: (files: ContainerFiles) => Promise<T>): Promise<T> {
    const backend = this.backend.describe(c.config.Labels ?? {});
    if (!backend.capabilities.archive) throw new NotImplementedError(`copying files into and out of containers is not supported by the ${backend.name} backend`);
    if (!c.state.Running && !backend.capabilities.archiveNotRunning) {
      throw new NotImplementedError(`copying files into and out of a container that is not running is not supported by the ${backend.name} backend`);
    }
    return this.backend.withFiles(this.containers.backendSpec(c), use);
  }

  /** lstat of a request path: a trailing "/" or "/." follows a final symlink and requires a directory, as the kernel does. */
  private async lstat(files: ContainerFiles, abs: string): Promise<FileInfo> {
    let info: FileInfo | undefined;
    try {
      if (namesDirectory(abs) && abs !== "/") {
        info = await files.lstat(await resolveInScope(files, abs));
        if (info && info.type !== "dir") throw Object.assign(new Error(`lstat ${abs}: not a directory`), { code: "ENOTDIR" });
      } else {
        info = await files.lstat(abs);
      }
    } catch (err) {
      if (code(err) === "ENOTDIR") throw new SystemError(`lstat ${abs}: not a directory`);
      throw err;
    }
    if (!info) throw Object.assign(new Error(`lstat ${abs}: no such file or directory`), { code: "ENOENT" });
    return info;
  }

  private async pathStat(files: ContainerFiles, abs: string, named: string): Promise<{ stat: PathStat; info: FileInfo }> {
    const info = await this.lstat(files, abs);
    const linkTarget = info.type === "symlink" ? await resolveInScope(files, abs) : "";
    return { info, stat: { name: base(named), size: info.size, mode: goFileMode(info), mtime: goTime(info.mtime), linkTarget } };
  }

  private notFound(idOrName: string, path: string) {
    return (err: unknown): never => {
      if (code(err) === "ENOENT") throw new NotFoundError(`Could not find the file ${path} in container ${idOrName}`);
      if (err instanceof Error && "status" in err) throw err;
      throw new SystemError((err as Error).message);
    };
  }

  /** HEAD /containers/{id}/archive. */
  async stat(idOrName: string, path: string): Promise<PathStat> {
    checkPath(path);
    const c = this.containers.get(idOrName);
    return this.files(c, async (files) => (await this.pathStat(files, absolute(path), path)).stat).catch(this.notFound(idOrName, path));
  }

  /**
   * GET /containers/{id}/archive: the stat, then a tar whose top entry is
   * the path's base name ("." for "/.", "/" for the root). A directory is
   * archived with its contents; anything else (a final symlink too) alone.
   * The container's files stay leased until the stream ends or is cancelled.
   */
  async archive(idOrName: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
    checkPath(path);
    const c = this.containers.get(idOrName);
    const abs = absolute(path);
    return new Promise((resolve, reject) => {
      this.files(c, async (files) => {
        const { stat, info } = await this.pathStat(files, abs, abs);
        const pack = tar.pack();
        const ended = new Promise<void>((r) => pack.once("close", () => r()));
        resolve({ stat, tar: Readable.from(pack as AsyncIterable<Buffer>) });
        try {
          if (info.type === "dir") await packTree(files, pack, await resolveInScope(files, abs), base(abs));
          else await packTree(files, pack, clean(abs), base(abs));
          pack.finalize();
        } catch (err) {
          pack.destroy(err as Error);
        }
        await ended;
      }).catch((err) => {
        try {
          this.notFound(idOrName, path)(err);
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** PUT /containers/{id}/archive: unpacks a tar (plain or gzip) into an existing directory; never starts the container. */
  async extract(idOrName: string, path: string, body: Readable, opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void> {
    checkPath(path);
    const c = this.containers.get(idOrName);
    await this.files(c, async (files) => {
      const dest = await resolveInScope(files, clean("/" + path));
      const info = await files.lstat(dest);
      // Every step must exist, as with filepath.EvalSymlinks.
      if (!info || (await missingStep(files, dest))) throw Object.assign(new Error("missing"), { code: "ENOENT" });
      if (info.type !== "dir") throw new InvalidParameterError("extraction point is not a directory");
      if (c.hostConfig.ReadonlyRootfs) throw new InvalidParameterError("container rootfs is marked read-only");
      const chown = opts.copyUIDGID && c.config.User ? await containerUser(files, c.config.User) : undefined;
      const input = await decompressed(body);
      await extractTar(files, dest, input, { noOverwriteDirNonDir: opts.noOverwriteDirNonDir, chown, backend: this.backend.describe(c.config.Labels ?? {}).name });
    }).catch(this.notFound(idOrName, path));
  }

  /** GET /containers/{id}/export: the container's file system, names relative to its root; volumes and binds are left out, as dockerd leaves them. */
  async export(idOrName: string): Promise<Readable> {
    const c = this.containers.get(idOrName);
    if (c.state.Status === "dead") throw new ConflictError(`You cannot export container ${c.id} which is Dead`);
    if (c.state.Status === "removing") throw new ConflictError(`You cannot export container ${c.id} which is being removed`);
    const backend = this.backend.describe(c.config.Labels ?? {});
    if (backend.capabilities.export === false) throw new NotImplementedError(`exporting containers is not supported by the ${backend.name} backend`);
    const mountPoints = new Set(this.containers.backendSpec(c).mounts.map((m) => clean(`/${m.destination}`)));
    const pack = tar.pack();
    const ended = new Promise<void>((r) => pack.once("close", () => r()));
    this.files(c, async (files) => {
      try {
        await packTree(files, pack, "/", "", { skipTop: true, mountPoints });
        pack.finalize();
      } catch (err) {
        pack.destroy(err as Error);
      }
      await ended;
    }).catch((err: Error) => pack.destroy(err));
    return Readable.from(pack as AsyncIterable<Buffer>);
  }

  /**
   * GET /containers/{id}/changes: the backend's differences less the files
   * the engine provides (Docker keeps those in an init layer), each added or
   * deleted path's parent reported as modified, in walk order; null when
   * nothing changed, as dockerd encodes an empty list.
   */
  async changes(idOrName: string): Promise<{ Path: string; Kind: number }[] | null> {
    const c = this.containers.get(idOrName);
    const spec = this.containers.backendSpec(c);
    const provided = new Set(spec.files.map((f) => f.path));
    const raw = await this.files(c, (files) => files.changes());
    const byPath = new Map<string, FileChange>();
    for (const ch of raw) {
      if (provided.has(ch.path)) continue;
      byPath.set(ch.path, ch);
      const parent = dir(ch.path);
      if (ch.kind !== 0 && parent !== "/" && !byPath.has(parent)) byPath.set(parent, { path: parent, kind: 0 });
    }
    const list = [...byPath.values()].sort((a, b) => walkOrder(a.path, b.path));
    return list.length === 0 ? null : list.map((ch) => ({ Path: ch.path, Kind: ch.kind }));
  }
}

function checkPath(path: string): void {
  if (path === "") throw new InvalidParameterError("bad parameter: path cannot be empty");
}

/** Whether some step of a resolved path does not exist. */
async function missingStep(files: ContainerFiles, resolved: string): Promise<boolean> {
  let cur = "";
  for (const part of resolved.split("/").filter(Boolean)) {
    cur += "/" + part;
    if (!(await files.lstat(cur))) return true;
  }
  return false;
}

/** Depth-first, names in byte order: "/a" and everything below it before "/a-b". */
function walkOrder(a: string, b: string): number {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return Buffer.compare(Buffer.from(x[i]), Buffer.from(y[i]));
  }
  return x.length - y.length;
}
