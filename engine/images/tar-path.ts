import tar from "tar-stream";
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
  const path = "/" + parts.join("/");
  const tooLong = nameTooLong(path);
  if (tooLong) throw new InvalidParameterError(`refusing tar entry "${name.slice(0, 64)}…": ${tooLong}`);
  return path;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Linux's NAME_MAX and PATH_MAX: longer names no file system takes, as dockerd finds when it creates them. */
const NAME_MAX = 255;
const PATH_MAX = 4096;

/** Why a path is too long for a file system, if it is. */
export function nameTooLong(path: string): string | undefined {
  if (Buffer.byteLength(path) >= PATH_MAX) return `file name too long (a path may have at most ${PATH_MAX - 1} bytes)`;
  for (const part of path.split("/")) if (Buffer.byteLength(part) > NAME_MAX) return `file name too long (a name may have at most ${NAME_MAX} bytes)`;
  return undefined;
}

/** tar-stream's limit on a PAX or GNU long-name header; a larger one is refused. */
const TAR_STREAM_HEADER_LIMIT = "Header exceeds max size";

/** A tar reader whose refusal of an oversized header reads as Go's archive/tar, as dockerd reports it. */
export function tarExtract(): tar.Extract {
  const extract = tar.extract();
  extract.prependListener("error", (err: Error) => {
    if (err.message === TAR_STREAM_HEADER_LIMIT) err.message = "archive/tar: header field too long";
  });
  return extract;
}
