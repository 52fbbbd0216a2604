import { Hono } from "hono";
import type { PoolStatus } from "../../backends/pools/backend.js";
import type { AppEnv } from "../env.js";
import { Exposition, EXPOSITION_CONTENT_TYPE, type Labels } from "./exposition.js";
import { poolsOf } from "./pools-of.js";
import { requestMetrics } from "./request-metrics.js";
import { refuseVersionPrefix } from "./unprefixed.js";

function renderPools(out: Exposition, pools: PoolStatus[]): void {
  const each = (value: (p: PoolStatus) => number): [Labels, number][] => pools.map((p) => [{ pool: p.name }, value(p)]);
  out.metric("sockerless_pool_containers", "gauge", "Containers the pool holds (created, running or stopped).", each((p) => p.containers));
  out.metric("sockerless_pool_running", "gauge", "Containers of the pool whose PID 1 runs.", each((p) => p.running));
  out.metric("sockerless_pool_queue_depth", "gauge", "Starts waiting for a slot in the pool.", each((p) => p.queued));
  out.metric("sockerless_pool_max_running", "gauge", "The pool's maxRunning (0: unlimited).", each((p) => p.maxRunning));
  out.metric(
    "sockerless_pool_utilisation",
    "gauge",
    "Running containers over maxRunning; absent for pools without a limit.",
    pools.filter((p) => p.maxRunning > 0).map((p) => [{ pool: p.name }, p.running / p.maxRunning]),
  );
  out.metric("sockerless_pool_running_memory_bytes", "gauge", "Total HostConfig.Memory of the pool's running containers.", each((p) => p.runningMemory));
  out.metric(
    "sockerless_pool_rejections_total",
    "counter",
    "Requests the pool refused with 429: starts with the queue full, creates beyond maxContainers.",
    pools.flatMap((p): [Labels, number][] => [
      [{ pool: p.name, reason: "queue_full" }, p.rejections.queueFull],
      [{ pool: p.name, reason: "max_containers" }, p.rejections.maxContainers],
    ]),
  );
}

/** GET /metrics: Prometheus text exposition of the pools and of the API's requests. */
export function metricsRoutes() {
  const r = new Hono<AppEnv>();
  r.use("/metrics", refuseVersionPrefix);
  r.get("/metrics", (c) => {
    const out = new Exposition();
    const pools = poolsOf(c.var.engine);
    if (pools) renderPools(out, pools.list());
    requestMetrics(c.var.engine).render(out);
    return c.body(out.text(), 200, { "Content-Type": EXPOSITION_CONTENT_TYPE });
  });
  return r;
}
