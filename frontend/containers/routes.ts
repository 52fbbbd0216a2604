import { Hono } from "hono";
import { stream } from "hono/streaming";
import { versionAtLeast } from "../../engine/api-version.js";
import type { ContainerConfig, HostConfig } from "../../engine/containers/config.js";
import type { WaitCondition } from "../../engine/containers/manager.js";
import { InvalidParameterError, NotImplementedError } from "../../engine/errors.js";
import type { AppEnv } from "../env.js";
import { readJsonObject } from "../json.js";
import { frame } from "../stdcopy.js";
import { inspectContainer, summarizeContainer } from "./render.js";

const truthy = (v: string | undefined) => v === "1" || v === "true" || v === "True";

export function containerRoutes() {
  const r = new Hono<AppEnv>();

  r.post("/containers/create", async (c) => {
    const body = await readJsonObject<ContainerConfig & { HostConfig?: HostConfig }>(c);
    const { HostConfig: hostConfig, NetworkingConfig: _net, ...config } = body as ContainerConfig & { HostConfig?: HostConfig; NetworkingConfig?: unknown };
    const created = await c.var.engine.containers.create(c.req.query("name") || undefined, config, hostConfig ?? {});
    return c.json({ Id: created.id, Warnings: [] }, 201);
  });

  r.get("/containers/json", (c) => {
    const all = truthy(c.req.query("all"));
    const limit = Number(c.req.query("limit") ?? "-1");
    let list = c.var.engine.containers.list().reverse();
    if (!all && !(limit > 0)) list = list.filter((x) => x.state.Status === "running");
    if (limit > 0) list = list.slice(0, limit);
    return c.json(list.map(summarizeContainer));
  });

  r.get("/containers/:id/json", (c) => {
    const container = c.var.engine.containers.get(c.req.param("id"));
    return c.json(inspectContainer(container, c.var.engine.execs.idsFor(container.id)));
  });

  r.post("/containers/:id/start", async (c) => {
    await c.var.engine.containers.start(c.req.param("id"));
    return c.body(null, 204);
  });

  r.post("/containers/:id/stop", async (c) => {
    const t = c.req.query("t") ?? c.req.query("timeout");
    await c.var.engine.containers.stop(c.req.param("id"), t === undefined ? undefined : Number(t), c.req.query("signal"));
    return c.body(null, 204);
  });

  r.post("/containers/:id/kill", (c) => {
    c.var.engine.containers.kill(c.req.param("id"), c.req.query("signal") || "SIGKILL");
    return c.body(null, 204);
  });

  r.post("/containers/:id/wait", (c) => {
    const condition = (c.req.query("condition") || "not-running") as WaitCondition;
    if (!["not-running", "next-exit", "removed"].includes(condition)) throw new InvalidParameterError(`invalid condition: "${condition}"`);
    // The wait starts now, before any later request (start, remove) can change the container.
    const result = c.var.engine.containers.wait(c.req.param("id"), condition);
    c.header("Content-Type", "application/json");
    // Headers go out at once; the body follows when the condition is met.
    return stream(c, async (s) => {
      await s.write(JSON.stringify(await result) + "\n");
    });
  });

  // Not built yet: answered plainly rather than as an unknown route.
  r.on(["HEAD", "GET", "PUT"], "/containers/:id/archive", (c) => {
    c.var.engine.containers.get(c.req.param("id"));
    throw new NotImplementedError("copying files into and out of containers (archive) is not implemented yet");
  });

  for (const action of ["pause", "unpause"]) {
    r.post(`/containers/:id/${action}`, (c) => {
      c.var.engine.containers.get(c.req.param("id"));
      const backend = c.var.engine.backend.describe();
      if (!backend.capabilities.pause) throw new NotImplementedError(`${action} is not supported by the ${backend.name} backend`);
      throw new NotImplementedError(`${action} is not implemented yet`);
    });
  }

  r.post("/containers/:id/resize", (c) => {
    c.var.engine.containers.get(c.req.param("id"));
    return c.body(null, 200);
  });

  r.delete("/containers/:id", async (c) => {
    await c.var.engine.containers.remove(c.req.param("id"), { force: truthy(c.req.query("force")) });
    return c.body(null, 204);
  });

  return r;
}
