import { InvalidParameterError } from "./errors.js";

/** ctrl-p, ctrl-q: Docker's default sequence for leaving an attached TTY. */
export const DEFAULT_DETACH_KEYS = Buffer.from([16, 17]);

const CONTROL = "@abcdefghijklmnopqrstuvwxyz[\\]^_";

/** A detach key sequence as moby's term.ToBytes reads it: comma-separated single characters or ctrl-X. */
export function parseDetachKeys(spec: string | undefined): Buffer {
  if (!spec) return DEFAULT_DETACH_KEYS;
  const codes: number[] = [];
  for (const key of spec.split(",")) {
    if (key.length === 1) {
      codes.push(key.charCodeAt(0));
      continue;
    }
    const code = key.length === 6 && key.toLowerCase().startsWith("ctrl-") ? CONTROL.indexOf(key[5].toLowerCase()) : -1;
    if (code < 0) throw new InvalidParameterError(`Invalid detach keys (${spec}) provided`);
    codes.push(code);
  }
  return Buffer.from(codes);
}

/**
 * Watches a TTY's input for the detach sequence, as moby's copyEscapable:
 * bytes that may begin the sequence are held back until it is complete (the
 * client detaches; they are never delivered) or broken (they are delivered).
 */
export class DetachWatcher {
  private held = 0;

  constructor(private readonly keys: Buffer) {}

  /** The bytes to deliver, and whether the sequence was completed. */
  feed(chunk: Buffer): { data: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) return { data: Buffer.from(out), detach: true };
        continue;
      }
      out.push(...this.keys.subarray(0, this.held));
      this.held = 0;
      if (byte === this.keys[0]) this.held = 1;
      else out.push(byte);
      if (this.held === this.keys.length) return { data: Buffer.from(out), detach: true };
    }
    return { data: Buffer.from(out), detach: false };
  }
}
