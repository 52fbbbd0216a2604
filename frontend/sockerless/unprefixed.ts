import type { MiddlewareHandler } from "hono";
import { splitVersionPrefix } from "../../engine/api-version.js";
import type { AppEnv } from "../env.js";

/**
 * Sockerless's own endpoints are not part of the versioned Docker API:
 * `/v1.51/metrics` is not found, as dockerd would answer it.
 */
export const refuseVersionPrefix: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (splitVersionPrefix(new URL(c.req.url).pathname).version !== undefined) return c.json({ message: "page not found" }, 404);
  await next();
};
