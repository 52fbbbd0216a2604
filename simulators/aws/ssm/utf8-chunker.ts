/** The agent's largest stream payload. */
export const STREAM_PAYLOAD_SIZE = 1024;

/**
 * Cuts process output into payloads as the agent does: at most 1024 bytes,
 * never inside a UTF-8 character; the bytes of a character still arriving
 * wait for the next write (or flush).
 */
export class Utf8Chunker {
  private pending = Buffer.alloc(0);

  push(data: Buffer): Buffer[] {
    const bytes = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    const end = completeLength(bytes);
    this.pending = Buffer.from(bytes.subarray(end));
    return split(bytes.subarray(0, end));
  }

  flush(): Buffer[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return split(rest);
  }
}

/** How many leading bytes end on a character boundary: a lead byte in the last 3 whose sequence is cut short stays out. */
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue;
    const needs = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return needs > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

function split(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  while (bytes.length - start > STREAM_PAYLOAD_SIZE) {
    let cut = start + STREAM_PAYLOAD_SIZE;
    while (cut > start + STREAM_PAYLOAD_SIZE - 3 && (bytes[cut] & 0xc0) === 0x80) cut--;
    out.push(Buffer.from(bytes.subarray(start, cut)));
    start = cut;
  }
  if (start < bytes.length) out.push(Buffer.from(bytes.subarray(start)));
  return out;
}
