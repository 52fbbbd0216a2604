/** Output chunks kept until the engine listens, then passed on in order. */
export class OutputRelay {
  private listener: ((stream: 1 | 2, data: Buffer) => void) | undefined;
  private readonly pending: [1 | 2, Buffer][] = [];

  listen(listener: (stream: 1 | 2, data: Buffer) => void): void {
    this.listener = listener;
    for (const [stream, data] of this.pending.splice(0)) listener(stream, data);
  }

  deliver(stream: 1 | 2, data: Buffer): void {
    if (this.listener) this.listener(stream, data);
    else this.pending.push([stream, data]);
  }
}
