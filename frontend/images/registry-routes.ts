import { Hono, type Context } from "hono";
import { pullImage } from "../../engine/images/pull.js";
import { pushImage } from "../../engine/images/push.js";
import { parseReference } from "../../engine/images/reference.js";
import { fromJson, parseRegistryAuth } from "../../engine/registry/auth-config.js";
import { inspectDistribution } from "../../engine/registry/inspect.js";
import { login } from "../../engine/registry/login.js";
import { hostFacts } from "../../engine/host.js";
import { InvalidParameterError } from "../../engine/errors.js";
import { readJsonObject } from "../json.js";
import { progressResponse } from "../progress-stream.js";
import type { AppEnv } from "../env.js";

const access = (c: Context<AppEnv>, signal?: AbortSignal) => ({
  auth: parseRegistryAuth(c.req.header("X-Registry-Auth")),
  insecure: c.var.engine.options.insecureRegistries ?? [],
  signal,
});

async function legacyAuthBody(c: Context<AppEnv>) {
  const text = await c.req.text();
  if (text.trim() === "") throw new InvalidParameterError("Bad parameters and missing X-Registry-Auth: EOF");
  try {
    return fromJson(JSON.parse(text) as Record<string, unknown>);
  } catch (err) {
    throw new InvalidParameterError(`Bad parameters and missing X-Registry-Auth: ${(err as Error).message}`);
  }
}

/** Pull (the fromImage half of /images/create), push, login and distribution inspect: the endpoints that talk to registries. */
export function registryRoutes() {
  const r = new Hono<AppEnv>();

  r.post("/images/create", (c) => {
    const { engine } = c.var;
    const auth = access(c);
    const req = { fromImage: c.req.query("fromImage") ?? "", tag: c.req.query("tag") ?? "", platform: c.req.query("platform") ?? "" };
    return progressResponse(c, (emit, signal) =>
      pullImage(
        { store: engine.images, distribution: engine.distribution, access: { ...auth, signal }, hostArch: hostFacts().arch, emit },
        req,
      ),
    );
  });

  r.post("/images/:name{.+}/push", async (c) => {
    const { engine } = c.var;
    const auth = access(c);
    // As dockerd: without the header, the credentials must come as a JSON body (the old form).
    if (c.req.header("X-Registry-Auth") === undefined) auth.auth = await legacyAuthBody(c);
    return progressResponse(c, (emit, signal) =>
      pushImage({ store: engine.images, distribution: engine.distribution, access: { ...auth, signal }, emit }, c.req.param("name"), c.req.query("tag") ?? ""),
    );
  });

  r.post("/auth", async (c) => {
    const body = await readJsonObject<Record<string, unknown>>(c);
    return c.json(await login(fromJson(body), c.var.engine.options.insecureRegistries ?? []));
  });

  r.get("/distribution/:name{.+}/json", async (c) => c.json(await inspectDistribution(parseReference(c.req.param("name")), access(c))));

  return r;
}
