import type { Hash } from "node:crypto";
import { Transform } from "node:stream";

/**
 * One line of a pull or push progress stream, as moby's progress package
 * makes them: a message (`id` optional), an update of one layer's state
 * (`detail` present, empty or with byte counts), or auxiliary data.
 */
export interface ProgressEvent {
  id?: string;
  status?: string;
  detail?: { current?: number; total?: number };
  aux?: unknown;
}

export type ProgressSink = (event: ProgressEvent) => void;

/** moby's stringid.TruncateID: the first 12 hex digits of a digest. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** Bytes between "Downloading"/"Pushing"/"Extracting" updates, as moby's progress reader (512 KiB). */
export const UPDATE_EVERY = 512 * 1024;

/** Counts bytes through a stream, reporting every UPDATE_EVERY bytes and at the end. */
export function byteCounter(report: (n: number) => void, hash?: Hash): Transform {
  let n = 0;
  let last = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash?.update(chunk);
      n += chunk.length;
      if (n - last >= UPDATE_EVERY) {
        last = n;
        report(n);
      }
      cb(null, chunk);
    },
    flush(cb) {
      if (n !== last) report(n);
      cb();
    },
  });
}
