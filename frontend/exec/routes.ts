import { Hono } from "hono";
import type { ExecConfig } from "../../engine/containers/exec.js";
import type { AppEnv } from "../env.js";
import { readJsonObject, withGoFieldNames } from "../json.js";

const EXEC_CONFIG_FIELDS = ["AttachStdin", "AttachStdout", "AttachStderr", "ConsoleSize", "DetachKeys", "Tty", "Env", "Cmd", "Privileged", "User", "WorkingDir"] as const;

/** Exec create, inspect and resize; start takes over the connection (frontend/hijack). */
export function execRoutes() {
  const r = new Hono<AppEnv>();
  r.post("/containers/:id/exec", async (c) => {
    const config = withGoFieldNames(await readJsonObject<ExecConfig>(c), EXEC_CONFIG_FIELDS);
    const exec = c.var.engine.execs.create(c.req.param("id"), config);
    return c.json({ Id: exec.id }, 201);
  });
  r.get("/exec/:id/json", (c) => c.json(c.var.engine.execs.inspect(c.req.param("id"))));
  r.post("/exec/:id/resize", (c) => {
    c.var.engine.execs.get(c.req.param("id"));
    return c.body(null, 200);
  });
  return r;
}
