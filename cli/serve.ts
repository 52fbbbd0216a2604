import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import type { Backend } from "../backends/backend.js";
import { PoolsBackend } from "../backends/pools/backend.js";
import { loadPoolsFile } from "../backends/pools/config.js";
import { backendNames, createBackend, DEFAULT_BACKEND } from "../backends/registry.js";
import { Engine } from "../engine/engine.js";
import { openState } from "../engine/state/db.js";
import { formatAddress, parseHost, readAuthToken, type TlsFiles } from "../frontend/listen.js";
import { startApiServer } from "../frontend/server.js";
import { defaultDataDir, defaultSocketPath } from "./paths.js";

export const serveUsage = `Usage: sockerless serve [OPTIONS]

Serve the Docker Engine API.

Options:
  -H, --host ADDR         unix:///PATH or tcp://HOST:PORT (repeatable; default: a unix socket)
      --backend NAME      where containers run (${backendNames().join(", ")}; default ${DEFAULT_BACKEND})
      --backend-opt K=V   a backend option (repeatable, or comma-separated)
      --pools FILE        route containers to named pools of backends, with limits, as FILE (YAML or
                          JSON) says; replaces --backend and --backend-opt (see docs/pools.md)
      --data DIR          state directory (default ${defaultDataDir()})
      --bind-root DIR     a host directory clients may bind-mount, with what is below it (repeatable; default none)
      --log-level LEVEL   trace, debug, info, warn, error, silent (default info)
      --insecure-registry HOST[:PORT]
                          reach this registry over plain HTTP (repeatable; loopback ones always are)
      --tls               serve TCP over TLS (--tlscert, --tlskey)
      --tlsverify         serve TCP over TLS and require client certificates signed by --tlscacert
      --tlscacert FILE    CA that signs client certificates
      --tlscert FILE      server certificate
      --tlskey FILE       server key
      --auth-token-file FILE
                          require "Authorization: Bearer <token>" on TCP listeners; the token is the
                          file's content (mode 0600 or stricter); unix sockets are guarded by their mode
`;

export function parseBackendOptions(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values.flatMap((v) => v.split(","))) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`invalid --backend-opt "${pair}": expected KEY=VALUE`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

interface TlsFlags {
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

function tlsFiles(v: TlsFlags): TlsFiles | undefined {
  if (!v.tls && !v.tlsverify) return undefined;
  if (!v.tlscert || !v.tlskey) throw new Error("--tls and --tlsverify need --tlscert and --tlskey");
  if (v.tlsverify && !v.tlscacert) throw new Error("--tlsverify needs --tlscacert");
  return { verify: Boolean(v.tlsverify), ca: v.tlscacert, cert: v.tlscert, key: v.tlskey };
}

function chooseBackend(v: { backend?: string; "backend-opt"?: string[]; pools?: string }, dataDir: string): Backend {
  if (v.pools === undefined) return createBackend(v.backend ?? DEFAULT_BACKEND, parseBackendOptions(v["backend-opt"] ?? []), dataDir);
  if (v.backend !== undefined || v["backend-opt"] !== undefined) throw new Error("--pools names each pool's backend and options; it cannot be combined with --backend or --backend-opt");
  return new PoolsBackend(loadPoolsFile(v.pools), dataDir);
}

export async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string", short: "H", multiple: true },
      backend: { type: "string" },
      "backend-opt": { type: "string", multiple: true },
      pools: { type: "string" },
      data: { type: "string" },
      "bind-root": { type: "string", multiple: true },
      "log-level": { type: "string" },
      "insecure-registry": { type: "string", multiple: true },
      tls: { type: "boolean" },
      tlsverify: { type: "boolean" },
      tlscacert: { type: "string" },
      tlscert: { type: "string" },
      tlskey: { type: "string" },
      "auth-token-file": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(serveUsage);
    return;
  }
  const tokenFile = values["auth-token-file"];
  const authToken = tokenFile === undefined ? undefined : readAuthToken(tokenFile);
  const log = pino({ level: values["log-level"] ?? "info", base: undefined }, pino.destination(2));
  const dataDir = resolve(values.data ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tls = tlsFiles(values);
  const addresses = (values.host ?? [`unix://${defaultSocketPath(dataDir)}`]).map((h) => parseHost(h, tls !== undefined));

  const backend = chooseBackend(values, dataDir);
  const state = openState(join(dataDir, "sockerless.db"));
  const engine = new Engine(state, backend, { dataDir, insecureRegistries: values["insecure-registry"] ?? [], bindRoots: values["bind-root"] ?? [] });
  let server;
  try {
    server = await startApiServer(engine, log, addresses, tls, { authToken });
  } catch (err) {
    await backend.close();
    state.close();
    throw err;
  }
  log.info({ backend: backend.describe().name, dataDir, listen: addresses.map(formatAddress) }, "serving the Docker Engine API");
  if (authToken !== undefined) {
    if (addresses.some((a) => a.kind === "tcp")) log.info("TCP requests need the bearer token of --auth-token-file");
    else log.warn("--auth-token-file has no effect: no TCP listener");
  }
  const first = addresses[0];
  process.stdout.write(`export DOCKER_HOST=${formatAddress(first)}\n`);
  if (first.kind === "tcp" && tls) process.stdout.write(`# with TLS: also set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to your client certificates\n`);
  if (first.kind === "tcp" && authToken !== undefined) {
    process.stdout.write(`# with a token: put {"HttpHeaders": {"Authorization": "Bearer <token>"}} in $DOCKER_CONFIG/config.json\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal; exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    await server.close();
    await backend.close();
    state.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
