/**
 * Splits Docker's multiplexed stream ([stream, 0, 0, 0, size] + payload)
 * back into stdout and stderr chunks, however the frames are cut by the socket.
 */
export class StdcopyReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly emit: (stream: 1 | 2, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) return;
      const stream = this.pending[0] === 2 ? 2 : 1;
      const data = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      if (data.length) this.emit(stream, Buffer.from(data));
    }
  }
}
