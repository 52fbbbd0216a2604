import { Hono } from "hono";
import { Readable } from "node:stream";
import { versionLessThan } from "../../engine/api-version.js";
import { InvalidParameterError } from "../../engine/errors.js";
import { FilterArgs } from "../../engine/filter-args.js";
import { deleteImage } from "../../engine/images/delete.js";
import { goContainerConfig } from "../../engine/images/go-json.js";
import { imageHistory } from "../../engine/images/history.js";
import { listImages } from "../../engine/images/list.js";
import type { Image } from "../../engine/images/store.js";
import { loadImages } from "../../engine/images/load.js";
import { pruneImages } from "../../engine/images/prune.js";
import { tagImage } from "../../engine/images/tag.js";
import type { Engine } from "../../engine/engine.js";
import type { AppEnv } from "../env.js";

/** moby's httputils.BoolValue: anything but "", "0", "no", "false" and "none" is true. */
export function boolValue(v: string | undefined): boolean {
  return v !== undefined && !["", "0", "no", "false", "none"].includes(v.trim().toLowerCase());
}

/** Whether a container counts as running for the image conflict rules. */
export const isRunning = (engine: Engine) => (id: string) => engine.containers.isActive(id);

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
  const lastTagged = img.tags.length ? new Date(img.loadedAt).toISOString() : "0001-01-01T00:00:00Z";
  return {
    Id: img.id,
    RepoTags: img.tags,
    RepoDigests: img.digests,
    Parent: img.parent,
    Comment: comment,
    // Since API 1.44 an image config without a creation time shows none.
    ...(cfg.created || versionLessThan(apiVersion, "1.44") ? { Created: cfg.created ?? "0001-01-01T00:00:00Z" } : {}),
    // Until API 1.45 inspect carried the committed container and its config.
    ...(versionLessThan(apiVersion, "1.45") ? { Container: cfg.container ?? "", ContainerConfig: goContainerConfig(cfg.container_config) } : {}),
    DockerVersion: cfg.docker_version ?? "",
    Author: cfg.author ?? "",
    Config: configView(img, apiVersion),
    Architecture: cfg.architecture ?? "",
    ...(cfg.variant ? { Variant: cfg.variant } : {}),
    Os: cfg.os ?? "",
    Size: img.size,
    ...(versionLessThan(apiVersion, "1.44") ? { VirtualSize: img.size } : {}),
    GraphDriver: { Name: "sockerless", Data: null },
    RootFS: { Type: cfg.rootfs.type, Layers: cfg.rootfs.diff_ids },
    Metadata: { LastTagTime: lastTagged },
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

  r.get("/images/json", (c) => {
    const { engine, apiVersion } = c.var;
    const filters = FilterArgs.fromJson(c.req.query("filters"));
    const usedBy = (id: string) => engine.images.containersUsing(id).length;
    const sharedSize = !versionLessThan(apiVersion, "1.42") && boolValue(c.req.query("shared-size"));
    return c.json(listImages(engine.images, usedBy, filters, { all: boolValue(c.req.query("all")), sharedSize, apiVersion }));
  });

  r.post("/images/prune", (c) => c.json(pruneImages(c.var.engine.images, isRunning(c.var.engine), FilterArgs.fromJson(c.req.query("filters")))));

  r.get("/images/:name{.+}/json", (c) => c.json(inspectImage(c.var.engine.images.resolve(c.req.param("name")), c.var.apiVersion)));

  r.get("/images/:name{.+}/history", (c) => c.json(imageHistory(c.var.engine.images, c.req.param("name"))));

  r.post("/images/:name{.+}/tag", (c) => {
    const tagged = tagImage(c.var.engine.images, c.req.param("name"), c.req.query("repo") ?? "", c.req.query("tag") ?? "");
    return tagged === undefined ? c.body(null, 200) : c.body(null, 201);
  });

  r.delete("/images/:name{.+}", (c) => {
    const name = c.req.param("name");
    if (name.trim() === "") throw new InvalidParameterError("image name cannot be blank");
    const { records } = deleteImage(c.var.engine.images, isRunning(c.var.engine), name, { force: boolValue(c.req.query("force")), prune: !boolValue(c.req.query("noprune")) });
    return c.json(records);
  });

  return r;
}
