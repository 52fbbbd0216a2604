import { InvalidParameterError } from "../errors.js";

/**
 * Normalises a tar entry name to an absolute path inside the archive's root,
 * refusing names that climb out of it. Leading "./" and "/" are dropped, as
 * tar and Docker do; ".." anywhere is refused rather than resolved.
 */
export function entryPath(name: string): string {
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") throw new InvalidParameterError(`refusing tar entry "${name}": it climbs out of the archive root`);
    if (part.includes("\0")) throw new InvalidParameterError(`refusing tar entry with a NUL byte in its name`);
    parts.push(part);
  }
  return "/" + parts.join("/");
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
