import type { Engine } from "../../engine/engine.js";
import type { Exposition } from "./exposition.js";

/** Prometheus's default buckets, in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The route label of a request no route matched: raw paths would make a series per URL. */
export const UNMATCHED_ROUTE = "unmatched";

interface Latency {
  method: string;
  route: string;
  /** Count per bucket (not cumulative), then the +Inf overflow. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Request counts by method, route template and status, and latency
 * histograms by method and route. Routes are templates (`/containers/{id}/json`),
 * so the number of series stays bounded whatever clients ask for.
 */
export class RequestMetrics {
  private readonly counts = new Map<string, { method: string; route: string; status: string; n: number }>();
  private readonly latencies = new Map<string, Latency>();

  observe(method: string, route: string, status: number, seconds: number): void {
    const countKey = `${method} ${route} ${status}`;
    const c = this.counts.get(countKey) ?? this.counts.set(countKey, { method, route, status: String(status), n: 0 }).get(countKey)!;
    c.n++;
    const key = `${method} ${route}`;
    const l = this.latencies.get(key) ?? this.latencies.set(key, { method, route, buckets: new Array(BUCKETS.length + 1).fill(0), sum: 0, count: 0 }).get(key)!;
    const i = BUCKETS.findIndex((b) => seconds <= b);
    l.buckets[i < 0 ? BUCKETS.length : i]++;
    l.sum += seconds;
    l.count++;
  }

  render(out: Exposition): void {
    out.metric(
      "sockerless_http_requests_total",
      "counter",
      "API requests answered, by method, route template and status (hijacked attach and exec streams included).",
      [...this.counts.values()].map((c) => [{ method: c.method, route: c.route, status: c.status }, c.n]),
    );
    out.metric("sockerless_http_request_duration_seconds", "histogram", "Time to answer an API request: to the response headers, or to the end of a hijacked stream.", []);
    for (const l of this.latencies.values()) {
      let cumulative = 0;
      BUCKETS.forEach((b, i) => {
        cumulative += l.buckets[i];
        out.sample("sockerless_http_request_duration_seconds_bucket", { method: l.method, route: l.route, le: String(b) }, cumulative);
      });
      out.sample("sockerless_http_request_duration_seconds_bucket", { method: l.method, route: l.route, le: "+Inf" }, l.count);
      out.sample("sockerless_http_request_duration_seconds_sum", { method: l.method, route: l.route }, l.sum);
      out.sample("sockerless_http_request_duration_seconds_count", { method: l.method, route: l.route }, l.count);
    }
  }
}

/** One set per daemon: the hono app and the hijacked-stream handler both record here. */
const byEngine = new WeakMap<Engine, RequestMetrics>();

export function requestMetrics(engine: Engine): RequestMetrics {
  let m = byEngine.get(engine);
  if (!m) byEngine.set(engine, (m = new RequestMetrics()));
  return m;
}

/** A hono route path (`/containers/:id/json`, `/images/:name{.+}/json`) as a template (`/containers/{id}/json`). */
export function routeTemplate(path: string): string {
  if (path === "" || path === "*" || path === "/*") return UNMATCHED_ROUTE;
  return path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
}
