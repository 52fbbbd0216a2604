import type { Pack } from "tar-stream";
import type { ContainerFiles, FileChange } from "../../backends/backend.js";
import { addEntry, packEntry } from "../containers/archive-tar.js";
import type { LayerStore } from "./layer.js";
import { baseName, parentOf } from "./tar-path.js";

/** Paths of the image's merged tree (its layers applied in order, whiteouts and opaque directories honoured). */
export function imagePaths(layers: LayerStore, diffIds: string[]): Set<string> {
  const paths = new Set<string>();
  const dropBelow = (dir: string, self: boolean) => {
    for (const p of paths) if ((self && p === dir) || p.startsWith(dir === "/" ? "/" : `${dir}/`)) paths.delete(p);
  };
  for (const diffId of diffIds) {
    const index = layers.index(diffId);
    for (const dir of index.opaque) dropBelow(dir, false);
    for (const gone of index.whiteouts) dropBelow(gone, true);
    for (const p of Object.keys(index.entries)) paths.add(p);
  }
  return paths;
}

/** Depth-first, names in byte order: "/a" and everything below it before "/a-b". */
function walkOrder(a: string, b: string): number {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return Buffer.compare(Buffer.from(x[i]), Buffer.from(y[i]));
  return x.length - y.length;
}

/**
 * Writes a container's changes over its image as a layer tar, as dockerd
 * exports a container's read-write layer: changed and added objects with the
 * directories above them, a ".wh.NAME" whiteout for each deletion, and for a
 * directory whose every image entry is gone (a replaced directory) the
 * opaque marker ".wh..wh..opq" instead of one whiteout per entry.
 */
export async function writeChangesLayer(files: ContainerFiles, changes: FileChange[], lower: Set<string>, pack: Pack): Promise<void> {
  const deleted = changes.filter((c) => c.kind === 2).map((c) => c.path);
  const present = new Map<string, boolean>();
  for (const c of changes) {
    if (c.kind === 2) continue;
    present.set(c.path, true);
    for (let p = parentOf(c.path); p !== "/"; p = parentOf(p)) if (!present.has(p)) present.set(p, false);
  }
  const opaque = new Set<string>();
  const deletedBy = new Map<string, string[]>();
  for (const path of deleted) deletedBy.set(parentOf(path), [...(deletedBy.get(parentOf(path)) ?? []), path]);
  for (const [dir, gone] of deletedBy) {
    if (dir === "/" || !present.has(dir)) continue;
    const below = [...lower].filter((p) => parentOf(p) === dir);
    if (below.length > 0 && below.length === gone.length) opaque.add(dir);
  }
  type Item = { path: string; whiteout?: string };
  const items: Item[] = [...present.keys()].map((path) => ({ path }));
  for (const dir of opaque) items.push({ path: `${dir}/.wh..wh..opq`, whiteout: dir });
  for (const path of deleted) if (!opaque.has(parentOf(path))) items.push({ path: `${parentOf(path) === "/" ? "" : parentOf(path)}/.wh.${baseName(path)}`, whiteout: path });
  items.sort((a, b) => walkOrder(a.path, b.path));
  const seen = new Map<string, string>();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  for (const item of items) {
    const name = item.path.slice(1);
    if (item.whiteout) {
      await addEntry(pack, { name, type: "file", mode: 0o644, size: 0, mtime: now, uid: 0, gid: 0 });
      continue;
    }
    const info = await files.lstat(item.path);
    if (info) await packEntry(files, pack, item.path, name, info, seen);
  }
}
