import { InvalidParameterError } from "../errors.js";

/** A gzip stream may expand to this many times its compressed size (deflate reaches about 1030 on zeros)... */
export const GZIP_MAX_RATIO = 256;
/** ...once it has produced this much; below it any ratio is accepted. */
export const GZIP_RATIO_FLOOR = 64 * 1024 * 1024;

/**
 * Counts a gzip stream's bytes in and out and refuses a decompression bomb:
 * output beyond GZIP_RATIO_FLOOR and GZIP_MAX_RATIO times the input so far.
 */
export class ExpansionLimit {
  private compressed = 0;
  private expanded = 0;

  read(n: number): void {
    this.compressed += n;
  }

  /** The error to fail the stream with once the output passes the limit. */
  produced(n: number): InvalidParameterError | undefined {
    this.expanded += n;
    if (this.expanded <= GZIP_RATIO_FLOOR || this.expanded <= GZIP_MAX_RATIO * this.compressed) return undefined;
    return new InvalidParameterError(
      `refusing gzip data that expands more than ${GZIP_MAX_RATIO} times its compressed size beyond ${GZIP_RATIO_FLOOR / (1024 * 1024)} MiB (${this.compressed} bytes became more than ${this.expanded}): it looks like a decompression bomb`,
    );
  }
}
