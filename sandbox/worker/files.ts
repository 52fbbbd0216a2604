import type { FileInfo } from "../../backends/backend.js";
import { changesOf } from "../fs/changes.js";
import type { ContainerFs } from "../fs/container-fs.js";
import { isFsError } from "../fs/paths.js";
import type { SandboxFs } from "../fs/sandbox-fs.js";
import type { FilesOp } from "./protocol.js";

async function lstat(fs: SandboxFs, path: string): Promise<FileInfo | undefined> {
  try {
    const full = await fs.lstatFull(path);
    const { identity } = await fs.lstat(path);
    const info: FileInfo = { type: full.type, mode: full.mode, uid: full.uid, gid: full.gid, size: full.size, mtime: full.mtime.getTime() };
    if (full.link !== undefined) info.link = full.link;
    if (identity !== undefined) info.identity = identity;
    return info;
  } catch (err) {
    if (isFsError(err, "ENOENT")) return undefined;
    throw err;
  }
}

/** Carries out one file operation of docker cp, export or diff inside the host thread; diff looks at the container's own files, without its mounts, as dockerd's does. */
export async function filesOp(fs: SandboxFs, root: ContainerFs, op: FilesOp): Promise<unknown> {
  switch (op.op) {
    case "lstat":
      return lstat(fs, op.path);
    case "readdir":
      return fs.readdir(op.path);
    case "read":
      return new Uint8Array(await fs.readFileBuffer(op.path));
    case "mkdir":
      return fs.mkdir(op.path);
    case "write":
      return op.append ? fs.appendFile(op.path, op.data) : fs.writeFile(op.path, op.data);
    case "symlink":
      return fs.symlink(op.target, op.path);
    case "link":
      return fs.link(op.target, op.path);
    case "meta":
      await fs.chmod(op.path, op.mode);
      await fs.chown(op.path, op.uid, op.gid);
      return fs.utimes(op.path, new Date(op.mtime), new Date(op.mtime));
    case "remove":
      return fs.rm(op.path, { recursive: true, force: true });
    case "changes":
      return changesOf(root);
  }
}
