import type { Backend } from "../../backends/backend.js";
import { InvalidParameterError, NotImplementedError } from "../errors.js";
import type { ImageStore } from "../images/store.js";
import { FilterArgs } from "../filter-args.js";
import { atoi } from "../strconv.js";
import { filterContainers, type ListedContainer } from "./list-filter.js";
import type { Container } from "./manager.js";

/** The query of `GET /containers/json`, as the client sent it. */
export interface ListQuery {
  all?: string;
  limit?: string;
  filters?: string;
}

/** What the list filters see of a container; its mounts, networks and ports are those its summary shows. */
export function listed(c: Container): ListedContainer & { container: Container } {
  return {
    container: c,
    id: c.id,
    name: c.name,
    created: c.created,
    imageId: c.imageId,
    labels: c.config.Labels ?? {},
    status: c.state.Status,
    running: c.state.Running,
    exitCode: c.state.ExitCode,
    startedAt: c.state.StartedAt,
    health: c.state.Health?.Status ?? "none",
    mounts: [],
    networks: [],
    ports: [],
    isTask: false,
  };
}

/** httputils.BoolValue: anything but "", 0, no, false and none is true. */
export function boolParam(v: string | undefined): boolean {
  const s = (v ?? "").trim().toLowerCase();
  return !["", "0", "no", "false", "none"].includes(s);
}

/** The containers `docker ps` lists, newest first. */
export function listContainers(all: Container[], query: ListQuery, images: ImageStore): Container[] {
  const filters = FilterArgs.fromJson(query.filters);
  let limit = 0;
  if (query.limit) {
    try {
      limit = atoi(query.limit);
    } catch (err) {
      throw new InvalidParameterError((err as Error).message);
    }
  }
  const resolveImage = (ref: string) => {
    try {
      return images.resolve(ref).id;
    } catch {
      // As dockerd: an ancestor that names no image matches nothing.
      return undefined;
    }
  };
  return filterContainers(all.map(listed), { all: boolParam(query.all), limit, filters }, resolveImage).map((l) => l.container);
}

/** SizeRw (the container's own changes, as the backend measures them) and SizeRootFs (its image plus those). */
export async function containerSizes(c: Container, backend: Backend, images: ImageStore): Promise<{ SizeRw: number; SizeRootFs: number }> {
  if (!backend.writableLayerSize) throw new NotImplementedError(`container sizes are not supported by the ${backend.describe(c.config.Labels ?? {}).name} backend`);
  const rw = await backend.writableLayerSize(c.id);
  return { SizeRw: rw, SizeRootFs: (images.get(c.imageId)?.size ?? 0) + rw };
}
