import type { Pack } from "tar-stream";
import type { ContainerFiles, FileInfo } from "../../backends/backend.js";
import { childPath } from "./archive-path.js";

const TYPES = { file: "file", dir: "directory", symlink: "symlink", fifo: "fifo" } as const;

/** Adds one entry and resolves once the pack has taken it, so a slow reader slows the walk instead of filling memory. */
function add(pack: Pack, header: Parameters<Pack["entry"]>[0], data?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error("the archive stream was closed"));
    pack.once("close", onClose);
    const done = (err?: Error | null) => {
      pack.off("close", onClose);
      if (err) reject(err);
      else resolve();
    };
    if (data) pack.entry(header, data, done);
    else pack.entry(header, done);
  });
}

/**
 * Writes the object at `path` as `name` and, for a directory, everything
 * below it depth first in name order, as moby's tarballer walks: directory
 * names end in "/", times are whole seconds, owners are numeric only, and a
 * second name of a hard-linked file becomes a link entry to the first.
 * Objects that vanish during the walk are left out, as dockerd does.
 */
export async function packTree(files: ContainerFiles, pack: Pack, path: string, name: string, opts: { skipTop?: boolean; seen?: Map<string, string> } = {}): Promise<void> {
  const seen = opts.seen ?? new Map<string, string>();
  const info = await files.lstat(path);
  if (!info) return;
  if (!opts.skipTop) await packEntry(files, pack, path, name, info, seen);
  if (info.type !== "dir") return;
  for (const child of await files.readdir(path)) {
    const childName = name === "" ? child : name.endsWith("/") ? name + child : `${name}/${child}`;
    await packTree(files, pack, childPath(path, child), childName, { seen });
  }
}

async function packEntry(files: ContainerFiles, pack: Pack, path: string, name: string, info: FileInfo, seen: Map<string, string>): Promise<void> {
  const entryName = info.type === "dir" && !name.endsWith("/") ? `${name}/` : name;
  const header = {
    name: entryName,
    mode: info.mode & 0o7777,
    uid: info.uid,
    gid: info.gid,
    uname: "",
    gname: "",
    mtime: new Date(Math.floor(info.mtime / 1000) * 1000),
    type: TYPES[info.type] as "file" | "directory" | "symlink" | "fifo" | "link",
    linkname: info.type === "symlink" ? info.link : undefined,
    size: 0,
  };
  if (info.type !== "file") return add(pack, header);
  const first = info.identity ? seen.get(info.identity) : undefined;
  if (first !== undefined) return add(pack, { ...header, type: "link", linkname: first });
  if (info.identity) seen.set(info.identity, entryName);
  let data: Buffer;
  try {
    data = await files.read(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  return add(pack, { ...header, size: data.length }, data);
}
