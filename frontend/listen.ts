import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { isIP } from "node:net";

/** Where the API listens: a unix socket path, or a TCP address. */
export type ListenAddress =
  | { kind: "unix"; path: string }
  | { kind: "tcp"; host: string; port: number };

export interface TlsFiles {
  /** Verify client certificates against the CA (mutual TLS), as dockerd's --tlsverify. */
  verify: boolean;
  ca?: string;
  cert: string;
  key: string;
}

/** Parses a dockerd-style `-H` value: unix:///path or tcp://host:port. */
export function parseHost(spec: string, tls: boolean): ListenAddress {
  if (spec.startsWith("unix://")) {
    const path = spec.slice("unix://".length);
    if (!path.startsWith("/")) throw new Error(`invalid unix socket address ${spec}: the path must be absolute`);
    return { kind: "unix", path };
  }
  if (spec.startsWith("tcp://")) {
    const rest = spec.slice("tcp://".length);
    const m = /^(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(rest);
    if (!m) throw new Error(`invalid tcp address ${spec}`);
    const host = (m[1] || "127.0.0.1").replace(/^\[(.*)\]$/, "$1");
    const port = m[2] === undefined ? (tls ? 2376 : 2375) : Number(m[2]);
    if (port < 0 || port > 65535) throw new Error(`invalid port in ${spec}`);
    return { kind: "tcp", host, port };
  }
  throw new Error(`unsupported listen address ${spec}: use unix:///PATH or tcp://HOST:PORT`);
}

export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/**
 * Anyone who reaches the API can run code as the daemon, so a non-loopback
 * TCP listener needs mutual TLS: the client must prove who it is.
 */
export function checkExposure(addr: ListenAddress, tls: TlsFiles | undefined): void {
  if (addr.kind !== "tcp" || isLoopback(addr.host)) return;
  if (!tls?.verify) {
    throw new Error(
      `refusing to listen on tcp://${addr.host}:${addr.port} without TLS client verification: ` +
        "anyone who can reach it could run containers. Use --tlsverify with --tlscacert, --tlscert and --tlskey, or listen on loopback",
    );
  }
}

export function formatAddress(addr: ListenAddress): string {
  return addr.kind === "unix" ? `unix://${addr.path}` : `tcp://${addr.host.includes(":") ? `[${addr.host}]` : addr.host}:${addr.port}`;
}

/**
 * Reads the bearer token TCP clients must send (--auth-token-file): the file's
 * content, trimmed. Refuses an empty file, one whose token spans lines, and
 * one that group or others may read or write, as ssh does with private keys.
 */
export function readAuthToken(file: string): string {
  let mode: number;
  let text: string;
  try {
    mode = statSync(file).mode;
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read --auth-token-file ${file}: ${(err as Error).message}`);
  }
  if (mode & 0o077) {
    throw new Error(
      `refusing --auth-token-file ${file}: its mode ${(mode & 0o777).toString(8).padStart(4, "0")} lets group or others read or change the token; run chmod 600 ${file}`,
    );
  }
  const token = text.trim();
  if (!token) throw new Error(`refusing --auth-token-file ${file}: it is empty; put the token in it`);
  if (!/^[\x21-\x7e]+$/.test(token)) throw new Error(`refusing --auth-token-file ${file}: the token must be one word of printable ASCII characters`);
  return token;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Why a request's Authorization header does not carry `Bearer <token>`, or
 * undefined when it does. The token is compared in constant time: both sides
 * are hashed first, so neither its content nor its length leaks through timing.
 */
export function bearerRefusal(header: string | undefined, token: string): string | undefined {
  if (!header) return "authorization required: this daemon needs an Authorization: Bearer <token> header on TCP requests";
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!m) return "authorization required: the Authorization header is not a Bearer token";
  if (!timingSafeEqual(digest(m[1]), digest(token))) return "unauthorized: the bearer token is not valid";
  return undefined;
}

/** A raw 401 answer for a connection whose request may not be served. */
export function unauthorizedResponse(message: string): string {
  const body = JSON.stringify({ message });
  return (
    "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nWWW-Authenticate: Bearer realm=\"sockerless\"\r\n" +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
