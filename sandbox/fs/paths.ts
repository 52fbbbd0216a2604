/** Path and error helpers for the container file system. Paths here are container paths, never host paths. */

const MESSAGES: Record<string, string> = {
  ENOENT: "no such file or directory",
  EEXIST: "file already exists",
  ENOTDIR: "not a directory",
  EISDIR: "illegal operation on a directory",
  ENOTEMPTY: "directory not empty",
  ELOOP: "too many symbolic links encountered",
  EINVAL: "invalid argument",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on device",
  EBUSY: "resource or device busy",
  EROFS: "read-only file system",
  EXDEV: "cross-device link not permitted",
  EACCES: "permission denied",
  EIO: "i/o error",
};

export type FsErrorCode = "ENOENT" | "EEXIST" | "ENOTDIR" | "EISDIR" | "ENOTEMPTY" | "ELOOP" | "EINVAL" | "EPERM" | "ENOSPC" | "EBUSY" | "EROFS" | "EXDEV" | "EACCES" | "EIO";

/** A Node-style error: `ENOENT: no such file or directory, open '/x'` with `code`, `syscall` and `path`. */
export function fsError(code: FsErrorCode, syscall: string, path: string, dest?: string): NodeJS.ErrnoException {
  const where = dest === undefined ? `'${path}'` : `'${path}' -> '${dest}'`;
  const err = new Error(`${code}: ${MESSAGES[code]}, ${syscall} ${where}`) as NodeJS.ErrnoException;
  err.code = code;
  err.syscall = syscall;
  err.path = path;
  if (dest !== undefined) Object.assign(err, { dest });
  return err;
}

export function isFsError(err: unknown, ...codes: FsErrorCode[]): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" && (codes as string[]).includes(code);
}

/** Lexical normalisation to an absolute path; ".." stops at the root, as it does in the kernel. */
export function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

export function split(path: string): string[] {
  return path.split("/").filter((p) => p !== "" && p !== ".");
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function childOf(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

/** True when `path` is `dir` itself or lies below it. */
export function within(dir: string, path: string): boolean {
  return dir === "/" || path === dir || path.startsWith(dir + "/");
}

export function resolveAgainst(base: string, path: string): string {
  return path.startsWith("/") ? normalize(path) : normalize(`${base}/${path}`);
}

/** Symlinks followed in one resolution before ELOOP, as Linux's limit. */
const MAX_LINK_HOPS = 40;

/**
 * Resolves `path` inside the container root, following symlinks in every
 * step and in the last one when `follow`. Absolute targets restart at the
 * container root and ".." stops there, so resolution never leaves it. A
 * missing last step is returned without a node (its parent exists).
 * `lookup` gives the object at a resolved path without following it.
 */
export function resolveInRoot<N extends { type: string; link?: string }>(path: string, follow: boolean, syscall: string, lookup: (path: string) => N | undefined): { path: string; node?: N } {
  if (path.includes("\0")) throw fsError("ENOENT", syscall, path);
  let parts = split(normalize(path));
  let done: string[] = [];
  let hops = 0;
  let i = 0;
  while (i < parts.length) {
    const name = parts[i];
    if (name === "..") {
      done.pop();
      i++;
      continue;
    }
    const cur = "/" + (done.length ? done.join("/") + "/" : "") + name;
    const node = lookup(cur);
    const last = i === parts.length - 1;
    if (!node) {
      if (last) return { path: cur };
      throw fsError("ENOENT", syscall, path);
    }
    if (node.type === "symlink" && (follow || !last)) {
      if (++hops > MAX_LINK_HOPS) throw fsError("ELOOP", syscall, path);
      const target = node.link ?? "";
      if (target === "") throw fsError("ENOENT", syscall, path);
      if (target.startsWith("/")) done = [];
      parts = [...split(target), ...parts.slice(i + 1)];
      i = 0;
      continue;
    }
    if (!last && node.type !== "dir") throw fsError("ENOTDIR", syscall, path);
    done.push(name);
    i++;
  }
  const final = "/" + done.join("/");
  return { path: final, node: lookup(final) };
}
