import { Hono, type Context } from "hono";
import { MAX_API_VERSION } from "../../engine/api-version.js";
import type { AppEnv } from "../env.js";

/** Headers Docker sends with every /_ping answer; clients read them to negotiate. */
function pingHeaders(c: Context<AppEnv>) {
  c.header("Api-Version", MAX_API_VERSION);
  // Only the classic builder exists here, so recommend it.
  c.header("Builder-Version", "1");
  c.header("Docker-Experimental", "false");
  c.header("Swarm", "inactive");
  c.header("Cache-Control", "no-cache, no-store, must-revalidate");
  c.header("Pragma", "no-cache");
  c.header("Content-Type", "text/plain; charset=utf-8");
}

export function systemRoutes() {
  const r = new Hono<AppEnv>();
  // Hono answers HEAD from the GET route, without the body.
  r.get("/_ping", (c) => {
    pingHeaders(c);
    return c.body("OK");
  });
  r.get("/version", (c) => c.json(c.var.engine.version()));
  r.get("/info", (c) => c.json(c.var.engine.info()));
  return r;
}
