import { InvalidParameterError } from "../errors.js";
import type { FilterArgs } from "../filter-args.js";
import { parseTimeFilter } from "../timestamps.js";
import { deleteImage, type DeleteRecord, type IsRunning } from "./delete.js";
import type { ImageStore } from "./store.js";

/**
 * POST /images/prune, as dockerd's ImagePrune: dangling images (untagged
 * leaves) by default, every unused one with dangling=false; until, label and
 * label! narrow it. Images in use are skipped quietly. It runs in one
 * synchronous step, so no two prunes overlap.
 */
export function pruneImages(store: ImageStore, isRunning: IsRunning, filters: FilterArgs): { ImagesDeleted: DeleteRecord[] | null; SpaceReclaimed: number } {
  filters.validate(["dangling", "label", "label!", "until"]);
  const danglingOnly = filters.boolOrDefault("dangling", true);
  const untils = filters.get("until");
  if (untils.length > 1) throw new InvalidParameterError("more than one until filter specified");
  let until: bigint | undefined;
  if (untils.length === 1) {
    try {
      until = parseTimeFilter(untils[0]);
    } catch (err) {
      throw new InvalidParameterError(`invalid value for 'until' filter: ${(err as Error).message}`);
    }
  }
  const candidates = store.list().filter((img) => {
    if (danglingOnly && store.children(img.id).length > 0) return false;
    if (img.tags.length + img.digests.length === 0 && store.children(img.id).length > 0) return false;
    if (until !== undefined) {
      const created = img.config.created ? parseTimeFilter(img.config.created) : undefined;
      if (created === undefined || created > until) return false;
    }
    const labels = img.config.config?.Labels ?? {};
    if (!filters.matchKVList("label", labels)) return false;
    if (filters.contains("label!") && filters.matchKVList("label!", labels)) return false;
    return true;
  });
  const deleted: DeleteRecord[] = [];
  let reclaimed = 0;
  for (const img of candidates) {
    const current = store.get(img.id);
    if (!current || current.removed) continue;
    const refs = [...current.tags, ...current.digests];
    if (danglingOnly && current.tags.length > 0) continue;
    for (const name of refs.length > 0 ? refs : [img.id.slice(7)]) {
      try {
        const result = deleteImage(store, isRunning, name, { force: false, prune: true });
        deleted.push(...result.records);
        reclaimed += result.reclaimed;
      } catch (err) {
        // As dockerd: an image that cannot go now (in use, already gone) is left for the next prune.
        if (!(err instanceof Error && "status" in err)) throw err;
      }
    }
  }
  store.events.log("image", "prune", { ID: "", Attributes: { reclaimed: String(reclaimed) } });
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}
