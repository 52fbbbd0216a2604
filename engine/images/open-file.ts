import { createWriteStream, openSync, type WriteStream } from "node:fs";

/**
 * A write stream whose file exists when this returns. createWriteStream opens
 * lazily, so a stream destroyed early would create its file after the caller's
 * cleanup had removed it — or after its directory was gone.
 */
export function openedWriteStream(path: string): WriteStream {
  return createWriteStream(path, { fd: openSync(path, "w") });
}
