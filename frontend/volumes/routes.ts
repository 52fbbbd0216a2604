import { Hono } from "hono";
import { FilterArgs } from "../../engine/filter-args.js";
import { listVolumes, pruneVolumes } from "../../engine/volumes/filter.js";
import type { Volume, VolumeCreate, VolumeStore } from "../../engine/volumes/store.js";
import type { AppEnv } from "../env.js";
import { readJsonObject } from "../json.js";

const truthy = (v: string | undefined) => v === "1" || v === "true" || v === "True";
const orNull = (m: Record<string, string>) => (Object.keys(m).length ? m : null);

/** A volume as GET /volumes/{name} shows it. */
export function renderVolume(store: VolumeStore, v: Volume) {
  return { CreatedAt: v.createdAt, Driver: v.driver, Labels: orNull(v.labels), Mountpoint: store.mountpoint(v.name), Name: v.name, Options: orNull(v.options), Scope: "local" };
}

export function volumeRoutes() {
  const r = new Hono<AppEnv>();

  r.post("/volumes/create", async (c) => {
    const store = c.var.engine.volumes;
    const body = await readJsonObject<VolumeCreate>(c);
    return c.json(renderVolume(store, store.create(body)), 201);
  });

  r.get("/volumes", (c) => {
    const store = c.var.engine.volumes;
    const list = listVolumes(store, FilterArgs.fromJson(c.req.query("filters")));
    return c.json({ Volumes: list.map((v) => renderVolume(store, v)), Warnings: null });
  });

  r.post("/volumes/prune", async (c) => {
    const { volumes, events } = c.var.engine;
    return c.json(await pruneVolumes(volumes, events, FilterArgs.fromJson(c.req.query("filters")), c.var.apiVersion));
  });

  r.get("/volumes/:name", (c) => {
    const store = c.var.engine.volumes;
    return c.json(renderVolume(store, store.get(c.req.param("name"))));
  });

  r.delete("/volumes/:name", (c) => {
    c.var.engine.volumes.remove(c.req.param("name"), truthy(c.req.query("force")));
    return c.body(null, 204);
  });

  return r;
}
