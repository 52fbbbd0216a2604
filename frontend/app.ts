import { Hono } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "pino";
import { MAX_API_VERSION, splitVersionPrefix, unsupportedVersionMessage } from "../engine/api-version.js";
import type { Engine } from "../engine/engine.js";
import { DockerError } from "../engine/errors.js";
import { SOCKERLESS_VERSION } from "../engine/package-info.js";
import type { AppEnv } from "./env.js";
import { lifecycleRoutes } from "./containers/lifecycle.js";
import { logRoutes } from "./containers/logs.js";
import { observeRoutes } from "./containers/observe.js";
import { archiveRoutes } from "./containers/archive-routes.js";
import { containerRoutes } from "./containers/routes.js";
import { execRoutes } from "./exec/routes.js";
import { imageRoutes } from "./images/routes.js";
import { imageTransferRoutes } from "./images/transfer-routes.js";
import { registryRoutes } from "./images/registry-routes.js";
import { buildkitRoutes } from "./system/buildkit-routes.js";
import { buildRoutes } from "./build/routes.js";
import { systemRoutes } from "./system/routes.js";
import { unsupportedRoutes } from "./system/unsupported.js";
import { eventRoutes } from "./system/events.js";
import { diskUsageRoutes } from "./system/df-routes.js";
import { volumeRoutes } from "./volumes/routes.js";
import { networkRoutes } from "./networks/routes.js";
import { metricsRoutes } from "./sockerless/metrics-routes.js";
import { poolsRoutes } from "./sockerless/pools-routes.js";
import { requestMetrics, routeTemplate } from "./sockerless/request-metrics.js";

/** The path part of a request URL, without scheme, host or query. */
function rawPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  const query = url.indexOf("?", start);
  return url.slice(start, query < 0 ? undefined : query);
}

export const SERVER_HEADER = `Sockerless/${SOCKERLESS_VERSION} (linux)`;

/**
 * The Docker Engine API application: every route is served with and without
 * the `/vX.Y` prefix; the prefix selects the API version for the request.
 */
export function createApp(engine: Engine, log: Logger): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ getPath: (req) => splitVersionPrefix(rawPath(req.url)).path });

  app.use(async (c, next) => {
    const started = performance.now();
    c.header("Server", SERVER_HEADER);
    c.header("Api-Version", MAX_API_VERSION);
    c.header("Ostype", "linux");
    c.set("engine", engine);
    const { version } = splitVersionPrefix(rawPath(c.req.url));
    c.set("apiVersion", version ?? MAX_API_VERSION);
    try {
      const refusal = version === undefined ? undefined : unsupportedVersionMessage(version);
      if (refusal) {
        c.res = c.json({ message: refusal }, 400);
        return;
      }
      await next();
    } finally {
      const ms = performance.now() - started;
      requestMetrics(engine).observe(c.req.method, routeTemplate(routePath(c)), c.res.status, ms / 1000);
      log.info({ method: c.req.method, path: rawPath(c.req.url), status: c.res.status, ms: +ms.toFixed(2) }, "request");
    }
  });

  app.route("/", systemRoutes());
  app.route("/", unsupportedRoutes());
  app.route("/", eventRoutes());
  app.route("/", diskUsageRoutes());
  app.route("/", containerRoutes());
  app.route("/", archiveRoutes());
  app.route("/", logRoutes());
  app.route("/", lifecycleRoutes());
  app.route("/", observeRoutes());
  app.route("/", imageTransferRoutes());
  app.route("/", registryRoutes());
  app.route("/", imageRoutes());
  app.route("/", buildkitRoutes());
  app.route("/", buildRoutes());
  app.route("/", execRoutes());
  app.route("/", volumeRoutes());
  app.route("/", networkRoutes());
  app.route("/", poolsRoutes());
  app.route("/", metricsRoutes());

  app.notFound((c) => c.json({ message: "page not found" }, 404));
  app.onError((err, c) => {
    if (err instanceof DockerError) {
      if (err.status === 304) return c.body(null, 304);
      return c.json({ message: err.message }, err.status as 400);
    }
    log.error({ err, method: c.req.method, path: rawPath(c.req.url) }, "unhandled error");
    return c.json({ message: err instanceof Error ? err.message : String(err) }, 500);
  });
  return app;
}
