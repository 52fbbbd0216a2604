import { Hono, type Context } from "hono";
import type { PoolsBackend } from "../../backends/pools/backend.js";
import { LIMIT_KEYS, parseLimits, parsePool, PoolConfigError, type PoolConfig, type PoolLimits } from "../../backends/pools/config.js";
import { InvalidParameterError, NotImplementedError } from "../../engine/errors.js";
import type { AppEnv } from "../env.js";
import { readJsonObject } from "../json.js";
import { poolsOf } from "./pools-of.js";
import { refuseVersionPrefix } from "./unprefixed.js";

function configuredPools(c: Context<AppEnv>): PoolsBackend {
  const pools = poolsOf(c.var.engine);
  if (!pools) throw new NotImplementedError("pools are not configured: start the daemon with `sockerless serve --pools FILE`");
  return pools;
}

/** A configuration mistake in a request body is the client's (400). */
function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof PoolConfigError) throw new InvalidParameterError(err.message);
    throw err;
  }
}

function limitsOf(p: PoolLimits): PoolLimits {
  return { maxRunning: p.maxRunning, queueSize: p.queueSize, maxContainers: p.maxContainers, maxMemory: p.maxMemory };
}

/** PUT replaces a pool's limits; what it runs on (backend, options, instances) is fixed once the pool exists. */
function replacedLimits(current: PoolConfig, body: Record<string, unknown>, name: string): PoolLimits {
  if (body.name !== undefined && body.name !== name) throw new InvalidParameterError(`the pool in the path is "${name}" but the body names "${String(body.name)}"; pools cannot be renamed`);
  const next = checked(() => parsePool({ ...body, name, backend: body.backend ?? current.backend }, "request body"));
  const fixed = (["backend", "options", "instances"] as const).filter((k) => k in body && JSON.stringify(next[k]) !== JSON.stringify(current[k]));
  if (fixed.length > 0) throw new InvalidParameterError(`${fixed.join(", ")} of pool "${name}" cannot change; create a new pool instead`);
  return limitsOf(next);
}

/** PATCH changes the limits it names. */
function patchedLimits(current: PoolConfig, body: Record<string, unknown>): PoolLimits {
  for (const key of Object.keys(body)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key)) throw new InvalidParameterError(`PATCH changes only the limits (${LIMIT_KEYS.join(", ")}); got "${key}"`);
  }
  return { ...limitsOf(current), ...checked(() => parseLimits(body, "request body")) };
}

/** The pool management API: /sockerless/v1/pools. Changes last until the daemon stops; the pools file is where each start begins. */
export function poolsRoutes() {
  const r = new Hono<AppEnv>();
  r.use("/sockerless/*", refuseVersionPrefix);

  r.get("/sockerless/v1/pools", (c) => c.json(configuredPools(c).list()));

  r.get("/sockerless/v1/pools/:name", (c) => c.json(configuredPools(c).status(c.req.param("name"))));

  r.post("/sockerless/v1/pools", async (c) => {
    const pools = configuredPools(c);
    const body = await readJsonObject<Record<string, unknown>>(c);
    return c.json(pools.add(checked(() => parsePool(body, "request body"))), 201);
  });

  const update = (patch: boolean) => async (c: Context<AppEnv>) => {
    const pools = configuredPools(c);
    const name = c.req.param("name")!;
    const current = pools.status(name);
    const body = await readJsonObject<Record<string, unknown>>(c);
    return c.json(pools.setLimits(name, patch ? patchedLimits(current, body) : replacedLimits(current, body, name)));
  };
  r.put("/sockerless/v1/pools/:name", update(false));
  r.patch("/sockerless/v1/pools/:name", update(true));

  r.delete("/sockerless/v1/pools/:name", async (c) => {
    await configuredPools(c).remove(c.req.param("name"));
    return c.body(null, 204);
  });

  return r;
}
