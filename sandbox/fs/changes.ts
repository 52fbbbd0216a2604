import type { FileChange } from "../../backends/backend.js";
import type { ContainerFs } from "./container-fs.js";
import type { LowerNode } from "./lower.js";
import { childOf, isFsError } from "./paths.js";

interface Seen {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  link?: string;
  identity?: string;
}

/** Whether the merged object differs from the image's: a file copied up has an identity of its own. */
function differs(m: Seen, l: LowerNode): boolean {
  if (m.type !== l.type || m.mode !== l.mode || m.uid !== l.uid || m.gid !== l.gid || m.mtime !== l.mtime) return true;
  if (m.type === "symlink") return m.link !== l.link;
  if (m.type === "file") return m.identity !== l.identity;
  return false;
}

/**
 * The container's changes over its image, found by walking the merged view
 * against the image's own tree: what is new is added, what differs is
 * modified, and what is gone is deleted (a deleted directory alone).
 */
export async function changesOf(fs: ContainerFs): Promise<FileChange[]> {
  const out: FileChange[] = [];
  const walk = async (dir: string, lower: LowerNode | undefined) => {
    const names = await fs.readdir(dir);
    for (const name of names) {
      const path = childOf(dir, name);
      let seen: Seen;
      try {
        const full = await fs.lstatFull(path);
        const short = await fs.lstat(path);
        seen = { type: full.type, mode: full.mode, uid: full.uid, gid: full.gid, mtime: full.mtime.getTime(), link: full.link, identity: short.identity };
      } catch (err) {
        // Removed by a process of the running container while we walked.
        if (isFsError(err, "ENOENT")) continue;
        throw err;
      }
      const l = lower?.kids?.get(name);
      if (!l) out.push({ path, kind: 1 });
      else if (differs(seen, l)) out.push({ path, kind: 0 });
      if (seen.type === "dir") await walk(path, l?.type === "dir" ? l : undefined);
    }
    if (!lower?.kids) return;
    const present = new Set(names);
    for (const name of lower.kids.keys()) if (!present.has(name)) out.push({ path: childOf(dir, name), kind: 2 });
  };
  await walk("/", fs.lower.root);
  return out;
}
