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
