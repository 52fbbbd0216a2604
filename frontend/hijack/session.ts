import type { Duplex } from "node:stream";
import { MAX_API_VERSION } from "../../engine/api-version.js";
import { SERVER_HEADER } from "../app.js";
import { frame, streamMediaType } from "../stdcopy.js";

/**
 * docker-py reads a hijacked stream through a socket that drops the bytes
 * which arrived together with the headers (docker/docker-py#3332); dockerd is
 * never quick enough to send them so, so the stream's first bytes wait this
 * long after the headers.
 */
const HEADER_READ_MS = 10;

const reasons: Record<number, string> = { 200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found", 409: "Conflict", 500: "Internal Server Error", 501: "Not Implemented" };

/** An ordinary JSON answer on a connection that has not been taken over. */
export function writeResponse(socket: Duplex, status: number, body?: object): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reasons[status] ?? "Error"}\r\nServer: ${SERVER_HEADER}\r\nApi-Version: ${MAX_API_VERSION}\r\n` +
      (text ? `Content-Type: application/json\r\n` : "") +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

export interface SessionOptions {
  socket: Duplex;
  upgrade: boolean;
  tty: boolean;
  multiplexedType: boolean;
  stdout: boolean;
  stderr: boolean;
}

/**
 * Takes over the connection: `101 UPGRADED` when the client asked to upgrade
 * (Go clients require it), else 200; then raw (TTY) or stdcopy-framed output.
 */
export function beginSession(o: SessionOptions) {
  o.socket.write(
    (o.upgrade ? "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" : "HTTP/1.1 200 OK\r\n") +
      `Content-Type: ${streamMediaType(o.tty, o.multiplexedType)}\r\nServer: ${SERVER_HEADER}\r\nApi-Version: ${MAX_API_VERSION}\r\n\r\n`,
  );
  const cleanups: (() => void)[] = [];
  let ended = false;
  // Until the client has had time to read the headers, output and the end wait here.
  let held: Buffer[] | undefined = [];
  let endHeld = false;
  const end = () => {
    if (held) return void (endHeld = true);
    if (ended) return;
    ended = true;
    for (const f of cleanups.splice(0)) f();
    o.socket.end();
  };
  let headersRead!: () => void;
  const headersReadPromise = new Promise<void>((resolve) => (headersRead = resolve));
  const release = setTimeout(() => {
    const queued = held ?? [];
    held = undefined;
    for (const bytes of queued) if (!ended && o.socket.writable) o.socket.write(bytes);
    if (endHeld) end();
    headersRead();
  }, HEADER_READ_MS);
  o.socket.on("close", () => {
    clearTimeout(release);
    headersRead();
    held = undefined;
    ended = true;
    for (const f of cleanups.splice(0)) f();
  });
  o.socket.on("error", () => o.socket.destroy());
  return {
    send(stream: number, data: Buffer) {
      if (ended || !o.socket.writable) return;
      if ((stream === 1 && !o.stdout) || (stream === 2 && !o.stderr)) return;
      const bytes = o.tty ? data : frame(stream as 1 | 2, data);
      if (held) held.push(bytes);
      else o.socket.write(bytes);
    },
    /** Resolves once the stream's first bytes may go. */
    headersRead: headersReadPromise,
    onCleanup(f: () => void) {
      cleanups.push(f);
    },
    end,
  };
}
