import os from "node:os";
import { join } from "node:path";

/** The user's data directory for sockerless ($XDG_DATA_HOME/sockerless). */
export function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME || join(os.homedir(), ".local", "share");
  return join(base, "sockerless");
}

/** The default API socket: in the runtime directory when there is one, else in the data directory. */
export function defaultSocketPath(dataDir: string): string {
  const runtime = process.env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, "sockerless", "docker.sock") : join(dataDir, "docker.sock");
}
