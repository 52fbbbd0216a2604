import { Hono } from "hono";
import type { HostConfig } from "../../engine/containers/config.js";
import { SystemError } from "../../engine/errors.js";
import { FilterArgs } from "../../engine/filter-args.js";
import { pruneContainers } from "../../engine/containers/prune.js";
import { atoi } from "../../engine/strconv.js";
import type { AppEnv } from "../env.js";
import { readJsonObject } from "../json.js";

/** `t`/`timeout` of stop and restart: strconv.Atoi as dockerd reads it; absent means the container's own timeout. */
function stopTimeout(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  try {
    return atoi(value);
  } catch (err) {
    throw new SystemError((err as Error).message);
  }
}

/** Start, stop, restart, kill, pause, rename, update and prune. */
export function lifecycleRoutes() {
  const r = new Hono<AppEnv>();

  r.post("/containers/:id/start", async (c) => {
    await c.var.engine.containers.start(c.req.param("id"));
    return c.body(null, 204);
  });

  r.post("/containers/:id/stop", async (c) => {
    await c.var.engine.containers.stop(c.req.param("id"), stopTimeout(c.req.query("t") ?? c.req.query("timeout")), c.req.query("signal"));
    return c.body(null, 204);
  });

  r.post("/containers/:id/restart", async (c) => {
    await c.var.engine.containers.restart(c.req.param("id"), stopTimeout(c.req.query("t") ?? c.req.query("timeout")), c.req.query("signal"));
    return c.body(null, 204);
  });

  r.post("/containers/:id/kill", (c) => {
    c.var.engine.containers.kill(c.req.param("id"), c.req.query("signal") || "SIGKILL");
    return c.body(null, 204);
  });

  r.post("/containers/:id/pause", async (c) => {
    await c.var.engine.containers.pause(c.req.param("id"));
    return c.body(null, 204);
  });

  r.post("/containers/:id/unpause", async (c) => {
    await c.var.engine.containers.unpause(c.req.param("id"));
    return c.body(null, 204);
  });

  r.post("/containers/:id/rename", (c) => {
    c.var.engine.containers.rename(c.req.param("id"), c.req.query("name") ?? "");
    return c.body(null, 204);
  });

  r.post("/containers/:id/update", async (c) => {
    const body = await readJsonObject<HostConfig>(c);
    return c.json({ Warnings: c.var.engine.containers.update(c.req.param("id"), body) });
  });

  r.post("/containers/prune", async (c) => {
    const { containers, backend, events } = c.var.engine;
    return c.json(await pruneContainers(containers, backend, events, FilterArgs.fromJson(c.req.query("filters"))));
  });

  return r;
}
