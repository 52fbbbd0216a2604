import { Hono } from "hono";
import { stream } from "hono/streaming";
import { versionAtLeast } from "../../engine/api-version.js";
import { boolParam } from "../../engine/containers/list.js";
import { sampleStats, statsBody, type StatsSample } from "../../engine/containers/stats.js";
import { top } from "../../engine/containers/top.js";
import type { AppEnv } from "../env.js";

/** dockerd collects stats once a second. */
const INTERVAL_MS = 1000;

const boolOr = (v: string | undefined, fallback: boolean) => (v === undefined || v === "" ? fallback : boolParam(v));

/** GET /containers/{id}/top and /stats: what a container's processes are doing. */
export function observeRoutes() {
  const r = new Hono<AppEnv>();

  r.get("/containers/:id/top", async (c) => {
    const { containers, backend } = c.var.engine;
    const container = containers.get(c.req.param("id"));
    return c.json(await top(container, containers.isRunning(container.id), backend, c.req.query("ps_args")));
  });

  r.get("/containers/:id/stats", (c) => {
    const { containers, backend } = c.var.engine;
    const id = containers.get(c.req.param("id")).id;
    const streaming = boolOr(c.req.query("stream"), true);
    const oneShot = versionAtLeast(c.var.apiVersion, "1.41") && boolOr(c.req.query("one-shot"), false);
    // The latest record, or undefined once the container is removed.
    const record = () => {
      try {
        return containers.get(id);
      } catch {
        return undefined;
      }
    };
    const sample = async () => {
      const latest = record();
      return latest && { container: latest, sample: await sampleStats(latest, containers.isRunning(id), backend) };
    };
    c.header("Content-Type", "application/json");
    return stream(c, async (s) => {
      let aborted = false;
      s.onAbort(() => {
        aborted = true;
      });
      const write = (body: object) => s.write(JSON.stringify(body) + "\n");
      const tick = () => new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
      let current = await sample();
      if (!current) return;
      if (!streaming) {
        // As dockerd: a stopped container, or one-shot, answers at once; otherwise a second sample a second later fills precpu_stats.
        if (!current.sample || oneShot) return void (await write(statsBody(current.container, current.sample, undefined)));
        await tick();
        const second = await sample();
        if (second) await write(statsBody(second.container, second.sample, current.sample));
        return;
      }
      let previous: StatsSample | undefined;
      while (!aborted && current) {
        await write(statsBody(current.container, current.sample, previous));
        previous = current.sample;
        await tick();
        current = await sample();
      }
    });
  });

  return r;
}
