import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * Bytes of a container's changes as last written out by its host thread:
 * the data files its metadata names (hard links counted once) plus its
 * symlinks' targets, as dockerd sums the files of a writable layer.
 */
export async function writableLayerSize(upperDir: string): Promise<number> {
  let meta: { entries: Record<string, { type: string; link?: string; data?: string }> };
  try {
    meta = JSON.parse(await readFile(join(upperDir, "meta.json"), "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  let total = 0;
  const files = new Set<string>();
  for (const e of Object.values(meta.entries)) {
    if (e.type === "symlink") total += Buffer.byteLength(e.link ?? "");
    else if (e.data !== undefined && /^\d+$/.test(e.data)) files.add(e.data);
  }
  for (const name of files) {
    try {
      total += (await stat(join(upperDir, "data", name))).size;
    } catch (err) {
      // A file the metadata still names may be gone once a newer write-out replaced it.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return total;
}
