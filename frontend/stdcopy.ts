/** Docker's multiplexed stream frame: [stream, 0, 0, 0, size(uint32 BE)] then the payload. */
export function frame(stream: 0 | 1 | 2, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** The attach/exec stream media type for the negotiated API version (1.42 introduced the multiplexed type). */
export function streamMediaType(tty: boolean, apiAtLeast142: boolean): string {
  return !tty && apiAtLeast142 ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream";
}
