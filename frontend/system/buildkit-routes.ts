import { Hono } from "hono";
import { NotImplementedError } from "../../engine/errors.js";
import type { AppEnv } from "../env.js";

/**
 * BuildKit's endpoints. The CLI asks /_ping for Builder-Version and, failing
 * BuildKit, uses the legacy builder; a client that calls these anyway learns
 * plainly that they do not exist here.
 */
export function buildkitRoutes() {
  const r = new Hono<AppEnv>();
  for (const path of ["/grpc", "/session"]) {
    r.all(path, () => {
      throw new NotImplementedError("BuildKit is not supported by sockerless: use the legacy builder (DOCKER_BUILDKIT=0)");
    });
  }
  return r;
}
