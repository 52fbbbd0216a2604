import type { HttpBindings } from "@hono/node-server";
import type { Engine } from "../engine/engine.js";

/** What every route handler can reach through its context. */
export type AppEnv = {
  Bindings: HttpBindings;
  Variables: {
    /** The API version the client asked for (or the maximum when it did not). */
    apiVersion: string;
    engine: Engine;
  };
};
