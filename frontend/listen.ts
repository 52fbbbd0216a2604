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
