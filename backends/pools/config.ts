import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { backendNames } from "../registry.js";

/** A pool's limits: 0 means no limit. */
export interface PoolLimits {
  /** Containers whose PID 1 may run at once (execs do not count). */
  maxRunning: number;
  /** Starts that may wait for a slot; beyond them a start is refused (429). */
  queueSize: number;
  /** Containers the pool may hold, created or running; beyond them a create is refused (429). */
  maxContainers: number;
  /** Bytes: the total HostConfig.Memory of the pool's running containers, checked when a start is admitted. */
  maxMemory: number;
}

export interface PoolConfig extends PoolLimits {
  name: string;
  backend: string;
  options: Record<string, string>;
  /** Backends of this kind, used round-robin for new containers. */
  instances: number;
}

export interface PoolsConfig {
  default: string;
  pools: PoolConfig[];
}

export const LIMIT_KEYS = ["maxRunning", "queueSize", "maxContainers", "maxMemory"] as const;
const POOL_KEYS = ["name", "backend", "options", "instances", ...LIMIT_KEYS] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** A configuration mistake, with the place it was found. */
export class PoolConfigError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function refuseUnknownKeys(value: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new PoolConfigError(`${where}: unknown key "${key}"; known: ${known.join(", ")}`);
  }
}

function count(value: unknown, key: string, where: string, min: number): number {
  if (value === undefined) return min;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new PoolConfigError(`${where}: "${key}" must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks the limits present in `value`; `where` names the place for messages. */
export function parseLimits(value: Record<string, unknown>, where: string): Partial<PoolLimits> {
  const out: Partial<PoolLimits> = {};
  for (const key of LIMIT_KEYS) if (key in value) out[key] = count(value[key], key, where, 0);
  return out;
}

function parseOptions(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new PoolConfigError(`${where}: "options" must be a mapping of backend option names to values`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!["string", "number", "boolean"].includes(typeof v)) throw new PoolConfigError(`${where}: option "${k}" must be a string, number or boolean`);
    out[k] = String(v);
  }
  return out;
}

/** One pool's definition, as in the file or a POST body. */
export function parsePool(value: unknown, where: string): PoolConfig {
  if (!isObject(value)) throw new PoolConfigError(`${where}: a pool must be a mapping`);
  const { name, backend } = value;
  const at = typeof name === "string" ? `${where} (pool "${name}")` : where;
  refuseUnknownKeys(value, POOL_KEYS, at);
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new PoolConfigError(`${at}: "name" must be 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit; got ${JSON.stringify(name)}`);
  }
  if (typeof backend !== "string" || !backendNames().includes(backend)) {
    throw new PoolConfigError(`${at}: unknown backend ${JSON.stringify(backend)}; available: ${backendNames().join(", ")}`);
  }
  return {
    name,
    backend,
    options: parseOptions(value.options, at),
    instances: count(value.instances, "instances", at, 1),
    maxRunning: 0,
    queueSize: 0,
    maxContainers: 0,
    maxMemory: 0,
    ...parseLimits(value, at),
  };
}

/** The whole configuration, already parsed from YAML or JSON. */
export function parsePoolsConfig(value: unknown, source: string): PoolsConfig {
  if (!isObject(value)) throw new PoolConfigError(`${source}: expected a mapping with "default" and "pools"`);
  refuseUnknownKeys(value, ["default", "pools"], source);
  if (!Array.isArray(value.pools) || value.pools.length === 0) throw new PoolConfigError(`${source}: "pools" must be a non-empty list`);
  const pools = value.pools.map((p, i) => parsePool(p, `${source}: pools[${i}]`));
  const seen = new Set<string>();
  for (const p of pools) {
    if (seen.has(p.name)) throw new PoolConfigError(`${source}: duplicate pool name "${p.name}"`);
    seen.add(p.name);
  }
  if (typeof value.default !== "string") throw new PoolConfigError(`${source}: "default" must name the pool for containers without a com.sockerless.pool label`);
  if (!seen.has(value.default)) throw new PoolConfigError(`${source}: default pool "${value.default}" is not among the pools (${[...seen].join(", ")})`);
  return { default: value.default, pools };
}

/** Reads a pools file; YAML is a superset of JSON, so one parser reads both. */
export function loadPoolsFile(path: string): PoolsConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new PoolConfigError(`cannot read pools file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new PoolConfigError(`${path}: not valid YAML or JSON: ${(err as Error).message}`);
  }
  return parsePoolsConfig(value, path);
}
