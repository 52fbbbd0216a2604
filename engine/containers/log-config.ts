import { InvalidParameterError, NotImplementedError } from "../errors.js";

/** HostConfig.LogConfig. */
export interface LogConfig {
  Type?: string;
  Config?: Record<string, string> | null;
}

/** The LogConfig inspect reports: dockerd fills in its default driver (json-file) when the client names none. */
export function withDefaultDriver(config: LogConfig | undefined): LogConfig {
  return { Type: config?.Type || "json-file", Config: config?.Config ?? {} };
}

/** How a container's output is kept: not at all (`none`), or up to a number of bytes (0: no limit). */
export type LogPolicy = { keep: false } | { keep: true; maxBytes: number };

const BUILT_IN = ["json-file", "local", "none", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "etwlogs", "gcplogs", "logentries"];
const OPTIONS: Record<string, string[]> = {
  "json-file": ["max-file", "max-size", "compress", "labels", "labels-regex", "env", "env-regex", "tag"],
  local: ["max-file", "max-size", "compress"],
  none: [],
};

/** units.RAMInBytes: a number with an optional k, m or g (binary multiples). */
function bytesOf(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(value.trim());
  if (!m) throw new InvalidParameterError(`invalid size: '${value}'`);
  return Math.floor(Number(m[1]) * 1024 ** "bkmgt".indexOf((m[2] || "b").toLowerCase()));
}

/**
 * Checks a container's LogConfig as dockerd does, and says how its output is
 * kept. json-file and local keep it (rotation as one limit of
 * max-size × max-file bytes); none keeps nothing; drivers that ship logs
 * elsewhere are not available here.
 */
export function logPolicy(config: LogConfig | undefined): LogPolicy {
  const type = config?.Type || "json-file";
  if (!BUILT_IN.includes(type)) throw new InvalidParameterError(`error looking up logging plugin ${type}: plugin "${type}" not found`);
  const known = OPTIONS[type];
  if (!known) throw new NotImplementedError(`the ${type} log driver is not supported by sockerless; use json-file, local or none`);
  for (const key of Object.keys(config?.Config ?? {})) {
    if (!known.includes(key)) throw new InvalidParameterError(`unknown log opt '${key}' for ${type} log driver`);
  }
  if (type === "none") return { keep: false };
  const opts = config?.Config ?? {};
  const size = opts["max-size"] ? bytesOf(opts["max-size"]) : type === "local" ? 20 * 1024 * 1024 : 0;
  const files = opts["max-file"] ? Number(opts["max-file"]) : type === "local" ? 5 : 1;
  if (!Number.isInteger(files) || files < 1) throw new InvalidParameterError(`invalid value for max-file: ${opts["max-file"]}`);
  return { keep: true, maxBytes: size * files };
}
