import type { Pack } from "tar-stream";
import type { ContainerFiles, FileInfo } from "../../backends/backend.js";
import { childPath } from "./archive-path.js";

const TYPES = { file: "file", dir: "directory", symlink: "symlink", fifo: "fifo" } as const;

/** Adds one entry and resolves once the pack has taken it, so a slow reader slows the walk instead of filling memory. */
/** Adds one entry; settles once it is written, or when the archive is closed or destroyed first. */
export function addEntry(pack: Pack, header: Parameters<Pack["entry"]>[0], data: Buffer = Buffer.alloc(0)): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error("the archive stream was closed"));
    pack.once("close", onClose);
    const done = (err?: Error | null) => {
      pack.off("close", onClose);
      if (err) reject(err);
      else resolve();
    };
    const entry = pack.entry(header, data, done);
    // An archive destroyed mid-entry (the client went away) errors the entry too.
    entry.on("error", done);
  });
}

/**
 * Writes the object at `path` as `name` and, for a directory, everything
 * below it depth first in name order, as moby's tarballer walks: directory
 * names end in "/", times are whole seconds, owners are numeric only, and a
 * second name of a hard-linked file becomes a link entry to the first.
 * Objects that vanish during the walk are left out, as dockerd does.
 */
export async function packTree(
  files: ContainerFiles,
  pack: Pack,
  path: string,
  name: string,
  opts: { skipTop?: boolean; seen?: Map<string, string>; mountPoints?: ReadonlySet<string> } = {},
): Promise<void> {
  const seen = opts.seen ?? new Map<string, string>();
  const info = await files.lstat(path);
  if (!info) return;
  // A mount point is packed as the empty directory or file it is in the container's own layer, without what is mounted there.
  const mountPoint = opts.mountPoints?.has(path) ?? false;
  if (!opts.skipTop) await packEntry(files, pack, path, name, info, seen, { empty: mountPoint });
  if (info.type !== "dir" || mountPoint) return;
  for (const child of await files.readdir(path)) {
    const childName = name === "" ? child : name.endsWith("/") ? name + child : `${name}/${child}`;
    await packTree(files, pack, childPath(path, child), childName, { seen, mountPoints: opts.mountPoints });
  }
}

/**
 * One object as a tar entry; a file seen before under another name (same
 * identity) becomes a hard link to it. `empty` packs a file without content.
 */
export async function packEntry(files: ContainerFiles, pack: Pack, path: string, name: string, info: FileInfo, seen: Map<string, string>, opts: { empty?: boolean } = {}): Promise<void> {
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
  if (info.type !== "file") return addEntry(pack, header);
  if (opts.empty) return addEntry(pack, header);
  const first = info.identity ? seen.get(info.identity) : undefined;
  if (first !== undefined) return addEntry(pack, { ...header, type: "link", linkname: first });
  if (info.identity) seen.set(info.identity, entryName);
  let data: Buffer;
  try {
    data = await files.read(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  return addEntry(pack, { ...header, size: data.length }, data);
}
