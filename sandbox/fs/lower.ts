import type { LayerEntry, LayerIndex, LayerStore } from "../../engine/images/layer.js";
import { baseName, parentOf, split } from "./paths.js";

export type NodeType = "file" | "dir" | "symlink" | "fifo";

/** What every file system object reports, whether from the image or from a container's changes. */
export interface NodeMeta {
  type: NodeType;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size: number;
  /** Symlink target. */
  link?: string;
  /** Host path of a regular file's bytes. */
  host?: string;
  /** Shared by hard links, so tools can tell they are one file. */
  identity?: string;
}

/** One object of an image's merged, read-only layers. */
export interface LowerNode extends NodeMeta {
  kids?: Map<string, LowerNode>;
}

/** The union of an image's layers with whiteouts and opaque directories applied. Never mutated once built. */
export interface LowerView {
  readonly key: string;
  readonly root: LowerNode;
  readonly files: number;
}

const IMPLICIT_DIR_MODE = 0o755;

function implicitDir(): LowerNode {
  return { type: "dir", mode: IMPLICIT_DIR_MODE, uid: 0, gid: 0, mtime: 0, size: 0, kids: new Map() };
}

function find(root: LowerNode, path: string): LowerNode | undefined {
  let node: LowerNode | undefined = root;
  for (const name of split(path)) {
    node = node.kids?.get(name);
    if (!node) return undefined;
  }
  return node;
}

/** Walks to `path`, making every missing or non-directory step a directory, as unpacking a layer over the lower ones does. */
function ensureDir(root: LowerNode, path: string): LowerNode {
  let node = root;
  for (const name of split(path)) {
    let next = node.kids!.get(name);
    if (!next || next.type !== "dir") {
      next = implicitDir();
      node.kids!.set(name, next);
    }
    node = next;
  }
  return node;
}

function nodeOf(layers: LayerStore, index: LayerIndex, entry: LayerEntry): LowerNode {
  const base = { mode: entry.mode & 0o7777, uid: entry.uid, gid: entry.gid, mtime: entry.mtime };
  switch (entry.type) {
    case "dir":
      return { type: "dir", ...base, size: 0, kids: new Map() };
    case "symlink":
      return { type: "symlink", ...base, size: (entry.link ?? "").length, link: entry.link ?? "" };
    case "fifo":
      return { type: "fifo", ...base, size: 0 };
    case "file":
    case "hardlink": {
      // A hard link carries its target's data name; older indexes may only name the target path.
      const data = entry.data ?? (entry.link !== undefined ? index.entries[entry.link]?.data : undefined);
      const size = entry.size || (entry.link !== undefined ? index.entries[entry.link]?.size ?? 0 : 0);
      if (data === undefined) return { type: "file", ...base, size: 0 };
      return { type: "file", ...base, size, host: layers.dataPath(index.diffId, { ...entry, data }), identity: `${index.diffId}:${data}` };
    }
  }
}

function build(layers: LayerStore, diffIds: string[], key: string): LowerView {
  const root = implicitDir();
  for (const diffId of diffIds) {
    const index = layers.index(diffId);
    // A layer's own whiteouts and opaque markers hide only what lies below it.
    for (const dir of index.opaque) {
      const node = find(root, dir);
      if (node?.type === "dir") node.kids = new Map();
    }
    for (const path of index.whiteouts) find(root, parentOf(path))?.kids?.delete(baseName(path));
    for (const [path, entry] of Object.entries(index.entries)) {
      if (path === "/") {
        if (entry.type === "dir") Object.assign(root, { mode: entry.mode & 0o7777, uid: entry.uid, gid: entry.gid, mtime: entry.mtime });
        continue;
      }
      const parent = ensureDir(root, parentOf(path));
      const name = baseName(path);
      const node = nodeOf(layers, index, entry);
      const old = parent.kids!.get(name);
      // A directory over a directory merges with it; anything else replaces what was there.
      if (node.type === "dir" && old?.type === "dir") node.kids = old.kids;
      parent.kids!.set(name, node);
    }
  }
  let files = 0;
  const count = (n: LowerNode) => {
    files++;
    n.kids?.forEach(count);
  };
  count(root);
  return { key, root, files };
}

// Weak so that a view lives exactly as long as some container of the image is open. Taken at load, before a script sandbox can block it.
const Weak = WeakRef;
const views = new Map<string, WeakRef<LowerView>>();
const finalizer = new FinalizationRegistry<string>((key) => {
  if (views.get(key)?.deref() === undefined) views.delete(key);
});

/** The merged view of `diffIds` (lowest first), built once and shared by every container using the same layers. */
export function lowerView(layers: LayerStore, diffIds: string[]): LowerView {
  // Keyed by the layer files themselves, so two stores holding the same diff IDs never share host paths.
  const key = diffIds.map((d) => layers.tarPath(d)).join("\n");
  const cached = views.get(key)?.deref();
  if (cached) return cached;
  const view = build(layers, diffIds, key);
  views.set(key, new Weak(view));
  finalizer.register(view, key);
  return view;
}
