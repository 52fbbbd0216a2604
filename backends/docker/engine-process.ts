import type { Socket } from "node:net";
import type { ProcessExit, ProcessHandle } from "../backend.js";
import { StdcopyReader } from "./stdcopy-reader.js";

export interface EngineProcessControl {
  signal(signal: string): Promise<void>;
  resize(rows: number, columns: number): Promise<void>;
  /** Resolves once the engine reports the process ended. */
  exit: Promise<ProcessExit>;
}

/**
 * A process on the engine seen through its hijacked stream: output as the
 * engine sends it (demultiplexed without a TTY), stdin written back, and the
 * exit reported only after the stream has delivered everything.
 */
export class EngineProcess implements ProcessHandle {
  private listener: ((stream: 1 | 2, data: Buffer) => void) | undefined;
  private readonly pending: [1 | 2, Buffer][] = [];
  readonly exited: Promise<ProcessExit>;

  constructor(
    private readonly socket: Socket | undefined,
    tty: boolean,
    private readonly control: EngineProcessControl,
  ) {
    const deliver = (stream: 1 | 2, data: Buffer) => (this.listener ? this.listener(stream, data) : this.pending.push([stream, data]));
    const streamEnded = new Promise<void>((resolve) => {
      if (!socket) return resolve();
      const reader = new StdcopyReader(deliver);
      socket.on("data", (chunk: Buffer) => (tty ? deliver(1, chunk) : reader.push(chunk)));
      socket.on("close", () => resolve());
      // A reset connection ends the stream; the exit still comes from the engine.
      socket.on("error", () => resolve());
    });
    this.exited = Promise.all([control.exit, streamEnded]).then(([exit]) => exit);
  }

  onOutput(listener: (stream: 1 | 2, data: Buffer) => void): void {
    this.listener = listener;
    for (const [stream, data] of this.pending.splice(0)) listener(stream, data);
  }

  writeStdin(data: Buffer | null): void {
    if (!this.socket || this.socket.destroyed || this.socket.writableEnded) return;
    if (data === null) this.socket.end();
    else this.socket.write(data);
  }

  // The process may end between engine/'s check and the engine's answer; its 409 then says nothing new.
  signal(signal: string): void {
    void this.control.signal(signal).catch(() => {});
  }

  resize(rows: number, columns: number): void {
    void this.control.resize(rows, columns).catch(() => {});
  }
}
