import { Hono } from "hono";
import { versionLessThan } from "../../engine/api-version.js";
import { DiskUsage } from "../../engine/disk-usage.js";
import { InvalidParameterError } from "../../engine/errors.js";
import { summarizeContainer } from "../containers/render.js";
import type { AppEnv } from "../env.js";
import { renderVolume } from "../volumes/routes.js";
import type { VolumeStore } from "../../engine/volumes/store.js";

/** Every volume with its size and the containers using it; sizes of volumes that are not plain directories are -1, as dockerd reports them. */
async function volumeUsage(store: VolumeStore) {
  return Promise.all(store.list().map(async (v) => ({ ...renderVolume(store, v), UsageData: { Size: await store.size(v), RefCount: store.users(v.name).length } })));
}

const TYPES = ["container", "image", "volume", "build-cache"];

/**
 * GET /system/df. No build cache exists here, so that list is empty; a
 * container's SizeRw is left out when the backend cannot measure it.
 */
export function diskUsageRoutes() {
  const r = new Hono<AppEnv>();

  r.get("/system/df", async (c) => {
    const { engine, apiVersion } = c.var;
    // `type` exists from API 1.42; before that, or without it, everything is reported.
    const asked = versionLessThan(apiVersion, "1.42") ? [] : c.req.queries("type") ?? [];
    for (const t of asked) if (!TYPES.includes(t)) throw new InvalidParameterError(`unknown object type: ${t}`);
    const wants = (t: string) => asked.length === 0 || asked.includes(t);
    const usage = new DiskUsage(engine.images, engine.containers, engine.backend);

    const images = wants("image") ? usage.imageUsage() : undefined;
    const containers = wants("container") ? await usage.containerUsage() : undefined;
    return c.json({
      LayersSize: images?.layersSize ?? 0,
      Images:
        images?.images.map(({ image, sharedSize, containers: users }) => ({
          Containers: users,
          Created: Math.floor(Date.parse(image.config.created ?? "1970-01-01T00:00:00Z") / 1000),
          Id: image.id,
          Labels: image.config.config?.Labels ?? {},
          ParentId: "",
          RepoDigests: [],
          RepoTags: image.tags,
          SharedSize: sharedSize,
          Size: image.size,
          // Dropped in API 1.44.
          ...(versionLessThan(apiVersion, "1.44") ? { VirtualSize: image.size } : {}),
        })) ?? null,
      Containers:
        containers
          ?.reverse()
          .map(({ container, sizeRw, sizeRootFs }) => ({ ...summarizeContainer(container, engine.attachments, apiVersion, engine.containers.publishedPorts(container.id)), ...(sizeRw ? { SizeRw: sizeRw } : {}), ...(sizeRootFs ? { SizeRootFs: sizeRootFs } : {}) })) ?? null,
      Volumes: wants("volume") ? await volumeUsage(engine.volumes) : null,
      BuildCache: wants("build-cache") ? [] : null,
    });
  });

  return r;
}
