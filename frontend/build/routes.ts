import { Hono, type Context } from "hono";
import { Readable } from "node:stream";
import { buildImage } from "../../engine/build/builder.js";
import { InvalidParameterError, NotImplementedError } from "../../engine/errors.js";
import { parsePlatform } from "../../engine/images/import.js";
import { fromJson, type AuthConfig } from "../../engine/registry/auth-config.js";
import type { AppEnv } from "../env.js";
import { buildResponse } from "./build-stream.js";
import { goJsonError } from "./go-json-error.js";

/** moby's httputils.BoolValue: anything but "", "0", "no", "false" and "none" is true. */
function boolValue(c: Context<AppEnv>, name: string): boolean {
  const v = (c.req.query(name) ?? "").trim().toLowerCase();
  return !(v === "" || v === "0" || v === "no" || v === "false" || v === "none");
}

/** A JSON object query parameter (buildargs, labels), refused with dockerd's words when malformed. */
function jsonMap<T>(c: Context<AppEnv>, name: string, what: string, goType: string): Record<string, T> {
  const text = c.req.query(name) ?? "";
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidParameterError(`error reading ${what}: ${goJsonError(text)}`);
  }
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidParameterError(`error reading ${what}: json: cannot unmarshal ${Array.isArray(value) ? "array" : typeof value === "string" ? "string" : typeof value} into Go value of type ${goType}`);
  }
  for (const v of Object.values(value as object)) {
    if (v !== null && typeof v !== "string") throw new InvalidParameterError(`error reading ${what}: json: cannot unmarshal ${typeof v} into Go value of type string`);
  }
  return value as Record<string, T>;
}

/** X-Registry-Config: base64url JSON of credentials by registry, for the FROM images a build pulls. */
function registryConfig(header: string | undefined): Record<string, AuthConfig> {
  if (!header) return {};
  try {
    const all = JSON.parse(Buffer.from(header.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8")) as Record<string, Record<string, unknown>> | null;
    const out: Record<string, AuthConfig> = {};
    for (const [host, auth] of Object.entries(all ?? {})) if (auth && typeof auth === "object") out[host.replace(/^https?:\/\//, "").replace(/\/.*$/, "")] = fromJson(auth);
    return out;
  } catch {
    // dockerd ignores credentials it cannot decode and builds anonymously.
    return {};
  }
}

/** cachefrom: a JSON array of image references. */
function cacheFrom(text: string): string[] {
  if (text === "") return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidParameterError(goJsonError(text));
  }
  if (value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new InvalidParameterError("json: cannot unmarshal into Go value of type []string");
  return value as string[];
}

/** POST /build: the legacy (non-BuildKit) builder. */
export function buildRoutes() {
  const r = new Hono<AppEnv>();
  r.post("/build", async (c) => {
    if ((c.req.query("version") ?? "1") === "2") throw new NotImplementedError("BuildKit is not supported by sockerless: use the legacy builder (DOCKER_BUILDKIT=0)");
    if ((c.req.query("remote") ?? "") !== "") throw new NotImplementedError("building from a remote context (remote=) is not supported by sockerless: it reaches no network; send the context as the request body");
    if (boolValue(c, "squash")) throw new InvalidParameterError("squash is only supported with experimental mode");
    parsePlatform(c.req.query("platform") ?? "");
    const forceRemove = boolValue(c, "forcerm");
    const options = {
      dockerfile: c.req.query("dockerfile") || "Dockerfile",
      tags: c.req.queries("t") ?? [],
      buildArgs: jsonMap<string | null>(c, "buildargs", "build args", "map[string]*string"),
      labels: jsonMap<string>(c, "labels", "labels", "map[string]string"),
      target: c.req.query("target") ?? "",
      noCache: boolValue(c, "nocache"),
      pull: boolValue(c, "pull"),
      remove: forceRemove || (c.req.query("rm") ?? "") === "" || boolValue(c, "rm"),
      forceRemove,
      quiet: boolValue(c, "q"),
      networkMode: c.req.query("networkmode") === "default" ? "" : (c.req.query("networkmode") ?? ""),
      memory: Number(c.req.query("memory") ?? "0") || 0,
      cacheFrom: cacheFrom(c.req.query("cachefrom") ?? ""),
      auth: registryConfig(c.req.header("X-Registry-Config")),
    };
    const { engine } = c.var;
    const body = c.req.raw.body ? Readable.fromWeb(c.req.raw.body as never) : Readable.from([]);
    const deps = {
      images: engine.images,
      containers: engine.containers,
      backend: engine.backend,
      distribution: engine.distribution,
      scratchDir: engine.scratchDir,
      insecureRegistries: engine.options.insecureRegistries ?? [],
    };
    return buildResponse(c, (emit, signal) => buildImage(deps, body, { ...options, signal }, emit));
  });
  return r;
}
