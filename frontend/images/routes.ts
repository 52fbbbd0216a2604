import { Hono } from "hono";
import { Readable } from "node:stream";
import { versionLessThan } from "../../engine/api-version.js";
import type { Image } from "../../engine/images/store.js";
import { loadImages } from "../../engine/images/load.js";
import type { AppEnv } from "../env.js";

/** The image's container defaults as inspect shows them for the API version. */
function configView(img: Image, apiVersion: string) {
  const cfg = img.config.config ?? {};
  const { Env, Cmd, Entrypoint, Labels, OnBuild, User, Volumes, WorkingDir, ...rest } = cfg;
  const view = {
    // Before API 1.50, image inspect carried these container fields too.
    ...(versionLessThan(apiVersion, "1.50")
      ? { Hostname: "", Domainname: "", AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false, Image: "" }
      : {}),
    User: User ?? "",
    Env: Env ?? null,
    Cmd: Cmd ?? null,
    Volumes: Volumes ?? null,
    WorkingDir: WorkingDir ?? "",
    Entrypoint: Entrypoint ?? null,
    OnBuild: OnBuild ?? null,
    Labels: Labels ?? null,
    ...rest,
  };
  return view;
}

function inspectImage(img: Image, apiVersion: string) {
  const cfg = img.config;
  // Docker shows the last history entry's comment when the config has none.
  const comment = cfg.comment || cfg.history?.at(-1)?.comment || "";
  return {
    Id: img.id,
    RepoTags: img.tags,
    RepoDigests: [],
    Parent: "",
    Comment: comment,
    Created: cfg.created ?? "",
    DockerVersion: cfg.docker_version ?? "",
    Author: cfg.author ?? "",
    Config: configView(img, apiVersion),
    Architecture: cfg.architecture ?? "",
    ...(cfg.variant ? { Variant: cfg.variant } : {}),
    Os: cfg.os ?? "",
    Size: img.size,
    GraphDriver: { Name: "sockerless", Data: null },
    RootFS: { Type: cfg.rootfs.type, Layers: cfg.rootfs.diff_ids },
    Metadata: { LastTagTime: new Date(img.loadedAt).toISOString() },
  };
}

export function imageRoutes() {
  const r = new Hono<AppEnv>();

  r.post("/images/load", async (c) => {
    const body = c.req.raw.body;
    const input = body ? Readable.fromWeb(body as never) : Readable.from([]);
    const lines = await loadImages(c.var.engine.images, input, c.var.engine.scratchDir);
    return c.body(lines.map((l) => JSON.stringify({ stream: `${l}\n` })).join("\n") + "\n", 200, { "Content-Type": "application/json" });
  });

  r.get("/images/json", (c) =>
    c.json(
      c.var.engine.images.list().map((img) => ({
        Id: img.id,
        ParentId: "",
        RepoTags: img.tags,
        RepoDigests: [],
        Created: Math.floor(Date.parse(img.config.created ?? "1970-01-01T00:00:00Z") / 1000),
        Size: img.size,
        SharedSize: -1,
        Labels: img.config.config?.Labels ?? {},
        Containers: -1,
      })),
    ),
  );

  r.get("/images/:name{.+}/json", (c) => c.json(inspectImage(c.var.engine.images.resolve(c.req.param("name")), c.var.apiVersion)));

  return r;
}
