import { Hono, type Context } from "hono";
import { Readable } from "node:stream";
import { InvalidParameterError, NotImplementedError } from "../../engine/errors.js";
import { commitContainer } from "../../engine/images/commit.js";
import { importImage } from "../../engine/images/import.js";
import { saveImages } from "../../engine/images/save.js";
import { repoTagReference } from "../../engine/images/tag.js";
import type { ContainerConfig } from "../../engine/containers/config.js";
import type { AppEnv } from "../env.js";

const bodyStream = (body: ReadableStream | null) => (body ? Readable.fromWeb(body as never) : Readable.from([]));

/** Images in and out as archives: save (docker-archive), import (a root file system tarball) and commit. */
export function imageTransferRoutes() {
  const r = new Hono<AppEnv>();

  const save = (c: Context<AppEnv>, names: string[]) =>
    new Response(Readable.toWeb(saveImages(c.var.engine.images, names)) as ReadableStream, { status: 200, headers: { "Content-Type": "application/x-tar" } });
  r.get("/images/get", (c) => save(c, c.req.queries("names") ?? []));
  r.get("/images/:name{.+}/get", (c) => save(c, [c.req.param("name")]));

  // Import shares /images/create with pull: a request naming fromImage is the registry routes' to answer.
  r.post("/images/create", async (c, next) => {
    if ((c.req.query("fromImage") ?? "") !== "") return next();
    const src = c.req.query("fromSrc") ?? "";
    const ref = repoTagReference(c.req.query("repo") ?? "", c.req.query("tag") ?? "");
    if (src !== "-") {
      throw new NotImplementedError(`importing from a URL (${src}) is not supported by sockerless: it reaches no network; send the tarball in the request body (fromSrc=-)`);
    }
    const id = await importImage(c.var.engine.images, bodyStream(c.req.raw.body), {
      ref,
      message: c.req.query("message") || `Imported from ${src}`,
      changes: c.req.queries("changes") ?? [],
      platform: c.req.query("platform") ?? "",
    });
    return c.body(`${JSON.stringify({ status: id })}\r\n`, 200, { "Content-Type": "application/json" });
  });

  r.post("/commit", async (c) => {
    const text = await c.req.text();
    let config: ContainerConfig | undefined;
    if (text.trim() !== "") {
      try {
        config = JSON.parse(text) as ContainerConfig;
      } catch (err) {
        throw new InvalidParameterError(`invalid JSON: ${(err as Error).message}`);
      }
      if (config === null || typeof config !== "object") config = undefined;
    }
    const { engine } = c.var;
    const id = await commitContainer(engine, c.req.query("container") ?? "", {
      ref: repoTagReference(c.req.query("repo") ?? "", c.req.query("tag") ?? ""),
      author: c.req.query("author") ?? "",
      comment: c.req.query("comment") ?? "",
      changes: c.req.queries("changes") ?? [],
      config,
    });
    return c.json({ Id: id }, 201);
  });

  return r;
}
