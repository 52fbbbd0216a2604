import type { IFileSystem } from "just-bash";
import { hasGlob, patternSource, unquotePattern } from "./pattern.js";

/**
 * Pathname expansion of one pattern against the filesystem, relative to cwd.
 * Returns the sorted matches, or an empty list when nothing matches.
 */
export async function globPaths(fs: IFileSystem, cwd: string, pattern: string, dotglob = false): Promise<string[]> {
  const absolute = pattern.startsWith("/");
  const segments = pattern.split("/").filter((s, i) => s !== "" || i === 0);
  if (absolute) segments.shift();
  // Each candidate: the path as the user writes it, and its absolute form.
  let candidates: { shown: string; abs: string }[] = [{ shown: absolute ? "/" : "", abs: absolute ? "/" : cwd }];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    const next: { shown: string; abs: string }[] = [];
    for (const c of candidates) {
      if (!hasGlob(seg)) {
        const name = unquotePattern(seg);
        const abs = join(c.abs, name);
        if (last ? await fs.exists(abs) : await isDir(fs, abs)) next.push({ shown: c.shown + name + (last ? "" : "/"), abs });
        continue;
      }
      let names: string[];
      try {
        names = await fs.readdir(c.abs);
      } catch {
        continue;
      }
      const re = new RegExp(`^(?:${patternSource(seg, true)})$`);
      const dotOk = dotglob || seg.startsWith(".") || seg.startsWith("\\.");
      for (const name of names.sort()) {
        if (name === "." || name === "..") continue;
        if (name.startsWith(".") && !dotOk) continue;
        if (!re.test(name)) continue;
        const abs = join(c.abs, name);
        if (!last && !(await isDir(fs, abs))) continue;
        next.push({ shown: c.shown + name + (last ? "" : "/"), abs });
      }
    }
    candidates = next;
    if (candidates.length === 0) return [];
  }
  const out = candidates.map((c) => c.shown);
  if (pattern.endsWith("/")) return out.map((s) => (s.endsWith("/") ? s : s + "/"));
  return out.sort();
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

async function isDir(fs: IFileSystem, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
