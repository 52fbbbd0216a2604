import { Hono } from "hono";
import { stream } from "hono/streaming";
import type { ContainerConfig, HostConfig } from "../../engine/containers/config.js";
import type { WaitCondition } from "../../engine/containers/manager.js";
import { InvalidParameterError } from "../../engine/errors.js";
import type { AppEnv } from "../env.js";
import { readJsonObject } from "../json.js";
import { boolParam, containerSizes, listContainers } from "../../engine/containers/list.js";
import { inspectContainer, summarizeContainer } from "./render.js";
import type { EndpointConfig } from "../../engine/networks/container-networks.js";

const truthy = (v: string | undefined) => v === "1" || v === "true" || v === "True";

export function containerRoutes() {
  const r = new Hono<AppEnv>();

  r.post("/containers/create", async (c) => {
    const body = await readJsonObject<ContainerConfig & { HostConfig?: HostConfig }>(c);
    const { HostConfig: hostConfig, NetworkingConfig: networking, ...config } = body as ContainerConfig & { HostConfig?: HostConfig; NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointConfig | null> } | null };
    const { container, warnings } = await c.var.engine.containers.create(c.req.query("name") || undefined, config, hostConfig ?? {}, networking ?? {}, c.var.apiVersion);
    return c.json({ Id: container.id, Warnings: warnings }, 201);
  });

  r.get("/containers/json", async (c) => {
    const { containers, images, backend } = c.var.engine;
    const list = listContainers(containers.list(), c.req.query(), images);
    const attached = c.var.engine.attachments;
    if (!boolParam(c.req.query("size"))) return c.json(attached.preloaded(() => list.map((x) => summarizeContainer(x, attached, c.var.apiVersion, c.var.engine.containers.publishedPorts(x.id)))));
    // Go leaves zero sizes out of the summary.
    const sized = async (x: (typeof list)[number]) => {
      const sizes = Object.entries(await containerSizes(x, backend, images)).filter(([, v]) => v !== 0);
      return { ...summarizeContainer(x, attached, c.var.apiVersion, c.var.engine.containers.publishedPorts(x.id)), ...Object.fromEntries(sizes) };
    };
    return c.json(await Promise.all(list.map(sized)));
  });

  r.get("/containers/:id/json", async (c) => {
    const { containers, execs, backend, images } = c.var.engine;
    const container = containers.get(c.req.param("id"));
    const sizes = boolParam(c.req.query("size")) ? await containerSizes(container, backend, images) : {};
    return c.json({ ...inspectContainer(container, execs.idsFor(container.id), c.var.apiVersion, c.var.engine.attachments, c.var.engine.containers.publishedPorts(container.id)), ...sizes });
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

  // The websocket attach is served on the upgrade; a plain request cannot be.
  r.get("/containers/:id/attach/ws", (c) => {
    c.var.engine.containers.get(c.req.param("id"));
    throw new InvalidParameterError("attach/ws needs a websocket upgrade (Upgrade: websocket)");
  });

  r.post("/containers/:id/resize", (c) => {
    c.var.engine.containers.get(c.req.param("id"));
    return c.body(null, 200);
  });

  r.delete("/containers/:id", async (c) => {
    await c.var.engine.containers.remove(c.req.param("id"), { force: truthy(c.req.query("force")), removeVolumes: truthy(c.req.query("v")) });
    return c.body(null, 204);
  });

  return r;
}
