import type { ByteSource } from "../io.js";

/**
 * A byte source with read-ahead that can be consumed a line at a time
 * (for `read`) and still hands whatever is left to the next reader, so
 * `while read l; do ...; done < file` and commands inside the loop share it.
 */
export class BufferedReader implements ByteSource {
  private buf: Uint8Array = new Uint8Array(0);
  private ended = false;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly source: ByteSource) {}

  async read(): Promise<Uint8Array | null> {
    return this.serial(async () => {
      if (this.buf.length) {
        const out = this.buf;
        this.buf = new Uint8Array(0);
        return out;
      }
      if (this.ended) return null;
      const chunk = await this.source.read();
      if (chunk === null) this.ended = true;
      return chunk;
    });
  }

  /**
   * Reads up to and excluding `delim` (or `max` bytes, or the end).
   * `found` is false when the input ended before the delimiter.
   */
  async readUntil(delim: number | null, max = Infinity): Promise<{ data: Uint8Array; found: boolean }> {
    return this.serial(async () => {
      for (;;) {
        const limit = Math.min(this.buf.length, max);
        const at = delim === null ? -1 : this.buf.subarray(0, limit).indexOf(delim);
        if (at >= 0) {
          const data = this.buf.slice(0, at);
          this.buf = this.buf.slice(at + 1);
          return { data, found: true };
        }
        if (this.buf.length >= max) {
          const data = this.buf.slice(0, max);
          this.buf = this.buf.slice(max);
          return { data, found: true };
        }
        if (this.ended) {
          const data = this.buf;
          this.buf = new Uint8Array(0);
          return { data, found: false };
        }
        const chunk = await this.source.read();
        if (chunk === null) this.ended = true;
        else this.buf = concat(this.buf, chunk);
      }
    });
  }

  // One read at a time, so concurrent readers never interleave partial lines.
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.busy.then(fn, fn);
    this.busy = next.catch(() => undefined);
    return next;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const readers = new WeakMap<ByteSource, BufferedReader>();

/** The one buffered reader for a source, shared by every reader of it. */
export function readerFor(source: ByteSource): BufferedReader {
  if (source instanceof BufferedReader) return source;
  let r = readers.get(source);
  if (!r) {
    r = new BufferedReader(source);
    readers.set(source, r);
  }
  return r;
}
