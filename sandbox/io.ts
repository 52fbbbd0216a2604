/** Byte streams between processes of the sandbox, delivered as written. */

/** A byte source read as data arrives; null means end of input. */
export interface ByteSource {
  read(): Promise<Uint8Array | null>;
}

/** A byte sink; a write resolves once the bytes are handed on. */
export interface ByteSink {
  write(data: Uint8Array | string): Promise<void>;
}

const encoder = new TextEncoder();

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/**
 * An in-memory pipe: what is written is read in order; close() ends it.
 * Writers are not blocked (shell pipelines in the sandbox are short-lived),
 * readers wait for data or the end.
 */
const PIPE_CAPACITY = 64 * 1024;

export class Pipe implements ByteSource, ByteSink {
  private readonly chunks: Uint8Array[] = [];
  private buffered = 0;
  private closed = false;
  private waiting: (() => void) | undefined;
  private drained: (() => void)[] = [];

  /** Waits while a pipe's worth (64 KiB, as Linux) is unread, so a fast writer cannot outrun its reader. */
  async write(data: Uint8Array | string): Promise<void> {
    if (this.closed) return;
    const bytes = toBytes(data);
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    this.wake();
    while (this.buffered > PIPE_CAPACITY && !this.closed) await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.wake();
    this.release();
  }

  async read(): Promise<Uint8Array | null> {
    while (this.chunks.length === 0) {
      if (this.closed) return null;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    const chunk = this.chunks.shift()!;
    this.buffered -= chunk.length;
    if (this.buffered <= PIPE_CAPACITY) this.release();
    return chunk;
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  private release(): void {
    for (const r of this.drained.splice(0)) r();
  }
}

/** A source with nothing in it (stdin of a process that has none). */
export const EMPTY_SOURCE: ByteSource = { read: async () => null };

/** A sink that drops what it is given (/dev/null). */
export const NULL_SINK: ByteSink = { write: async () => {} };

/** Reads a source to its end. */
export async function readAll(source: ByteSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) {
    parts.push(chunk);
    size += chunk.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A source over bytes already in hand. */
export function sourceOf(data: Uint8Array | string): ByteSource {
  let done = false;
  return {
    read: async () => {
      if (done) return null;
      done = true;
      const bytes = toBytes(data);
      return bytes.length ? bytes : null;
    },
  };
}
