import type { FileInfo } from "../../backends/backend.js";

/** Go's path/filepath rules for slash paths, as dockerd applies them to archive paths. */

/** Go's filepath.Clean: lexical, ".." stops at the root of a rooted path and is kept in a relative one. */
export function clean(p: string): string {
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const s = (rooted ? "/" : "") + out.join("/");
  return s === "" ? "." : s;
}

/** Go's filepath.Base: the last element, trailing slashes ignored; "/" for the root. */
export function base(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Go's filepath.Dir. */
export function dir(p: string): string {
  return clean(p.slice(0, p.lastIndexOf("/") + 1));
}

export function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

/** True when `p` is `root` or below it (both clean and absolute). */
export function inside(root: string, p: string): boolean {
  return root === "/" || p === root || p.startsWith(root + "/");
}

/** moby's PreserveTrailingDotOrSeparator: keeps a trailing "/." or "/" of `original` on the cleaned path, since they ask for a directory's contents. */
export function preserveTrailing(cleaned: string, original: string): string {
  if (base(cleaned) !== "." && base(original) === ".") {
    if (!cleaned.endsWith("/")) cleaned += "/";
    cleaned += ".";
  }
  if (!cleaned.endsWith("/") && original.endsWith("/")) cleaned += "/";
  return cleaned;
}

/** The absolute container path a request names: relative paths count from the root. */
export function absolute(path: string): string {
  return preserveTrailing(clean("/" + path), path);
}

/** Whether a path ends in "/" or "/." and so means the directory itself, following a final symlink. */
export function namesDirectory(path: string): boolean {
  return path.endsWith("/") || base(path) === ".";
}

/** Go's os.FileMode bits: the type in the high bits, setuid/setgid/sticky moved out of the permission bits. */
export function goFileMode(info: FileInfo): number {
  let m = info.mode & 0o777;
  if (info.mode & 0o4000) m |= 1 << 23;
  if (info.mode & 0o2000) m |= 1 << 22;
  if (info.mode & 0o1000) m |= 1 << 20;
  if (info.type === "dir") m |= 2 ** 31;
  else if (info.type === "symlink") m |= 1 << 27;
  else if (info.type === "fifo") m |= 1 << 25;
  return m >>> 0;
}

/** A time as Go's encoding/json writes it (RFC 3339 with trailing fraction zeros dropped). */
export function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : "Z"));
}
