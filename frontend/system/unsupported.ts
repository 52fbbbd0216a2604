import { Hono } from "hono";
import { DockerError, NotFoundError, NotImplementedError } from "../../engine/errors.js";
import type { AppEnv } from "../env.js";

/** dockerd's answers on a node that is not in a swarm (moby's daemon/cluster errors, 503). */
const NOT_A_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const NOT_IN_A_SWARM = "This node is not part of a swarm";
const unavailable = (message: string) => new DockerError(503, message);

/**
 * What this daemon does not have, answered as dockerd answers on a node
 * without them: no swarm (so every swarm object is unavailable), no plugins
 * installed, no Docker Hub index to search.
 */
export function unsupportedRoutes() {
  const r = new Hono<AppEnv>();

  for (const kind of ["services", "tasks", "nodes", "secrets", "configs"]) {
    r.all(`/${kind}`, () => {
      throw unavailable(NOT_A_MANAGER);
    });
    r.all(`/${kind}/*`, () => {
      throw unavailable(NOT_A_MANAGER);
    });
  }
  r.get("/swarm", () => {
    throw unavailable(NOT_A_MANAGER);
  });
  for (const path of ["/swarm/unlockkey", "/swarm/unlock", "/swarm/update"]) {
    r.all(path, () => {
      throw unavailable(NOT_A_MANAGER);
    });
  }
  r.post("/swarm/leave", () => {
    throw unavailable(NOT_IN_A_SWARM);
  });
  for (const path of ["/swarm/init", "/swarm/join"]) {
    r.post(path, () => {
      throw new NotImplementedError("swarm mode is not supported by sockerless");
    });
  }

  r.get("/plugins", (c) => c.json([]));
  for (const path of ["/plugins/pull", "/plugins/create", "/plugins/privileges"]) {
    r.all(path, () => {
      throw new NotImplementedError("plugins are not supported by sockerless");
    });
  }
  r.all("/plugins/:name/*", (c) => {
    throw new NotFoundError(`plugin "${c.req.param("name")}" not found`);
  });
  r.delete("/plugins/:name", (c) => {
    throw new NotFoundError(`plugin "${c.req.param("name")}" not found`);
  });

  r.get("/images/search", () => {
    throw new NotImplementedError("image search needs Docker Hub's index, which sockerless does not reach");
  });

  return r;
}
