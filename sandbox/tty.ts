/**
 * The input side of a Linux TTY's default line discipline, for containers
 * with Tty set: carriage returns become newlines (ICRNL), what is typed is
 * echoed (ECHO, control characters as ^X), ctrl-C and ctrl-\ become SIGINT
 * and SIGQUIT (ISIG) and ctrl-D ends the input (VEOF). Lines are passed on as
 * typed, without canonical-mode editing.
 */
export interface TtyInput {
  /** Bytes for the process's stdin. */
  deliver: Buffer;
  /** Bytes to write back to the terminal. */
  echo: Buffer;
  signal?: "SIGINT" | "SIGQUIT";
  eof: boolean;
}

const SIGNAL_KEYS: Record<number, "SIGINT" | "SIGQUIT"> = { 0x03: "SIGINT", 0x1c: "SIGQUIT" };

export function ttyInput(data: Uint8Array): TtyInput {
  const deliver: number[] = [];
  const echo: number[] = [];
  for (const raw of data) {
    const byte = raw === 0x0d ? 0x0a : raw;
    const signal = SIGNAL_KEYS[byte];
    if (signal) return { deliver: Buffer.from(deliver), echo: Buffer.from([...echo, 0x5e, byte + 0x40]), signal, eof: false };
    if (byte === 0x04) return { deliver: Buffer.from(deliver), echo: Buffer.from(echo), eof: true };
    deliver.push(byte);
    if (byte < 0x20 && byte !== 0x0a && byte !== 0x09) echo.push(0x5e, byte + 0x40);
    else echo.push(byte);
  }
  return { deliver: Buffer.from(deliver), echo: Buffer.from(echo), eof: false };
}
