import { createReadStream, createWriteStream, openSync, type ReadStream, type WriteStream } from "node:fs";

/**
 * A write stream whose file exists when this returns. createWriteStream opens
 * lazily, so a stream destroyed early would create its file after the caller's
 * cleanup had removed it — or after its directory was gone. Its errors name
 * the file as dockerd's do ("write /path: no space left on device").
 */
export function openedWriteStream(path: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (err) {
    throw namedError(err, "open", path);
  }
  const stream = createWriteStream(path, { fd });
  stream.prependListener("error", (err) => namedError(err, "write", path));
  return stream;
}

/** Rewords a file system error of Node's ("ENOSPC: no space left on device, write") as Go's ("write /path: no space left on device"). */
export function namedError(err: unknown, op: string, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== "string" || !e.message.startsWith(`${e.code}: `)) return err;
  e.message = `${op} ${path}: ${e.message.slice(e.code.length + 2).replace(/, \w+( '.*')?$/, "")}`;
  return e;
}

/** Reads a file in 1 MiB chunks: unpacking, hashing and compressing a big layer take about half the time they take in the default 64 KiB. */
export function largeReadStream(path: string): ReadStream {
  return createReadStream(path, { highWaterMark: 1024 * 1024 });
}
