import { versionLessThan } from "../api-version.js";
import type { FilterArgs } from "../filter-args.js";
import { InvalidParameterError } from "../errors.js";
import { parseTimeFilter } from "../timestamps.js";
import { chainIds } from "./chain.js";
import { pathMatch } from "./glob.js";
import { parseReference } from "./reference.js";
import type { Image, ImageStore } from "./store.js";

export interface ListOptions {
  all: boolean;
  sharedSize: boolean;
  apiVersion: string;
}

/** Seconds since the epoch of an image's creation time; undefined without one. */
export function createdSeconds(img: Image): number | undefined {
  const ms = img.config.created ? Date.parse(img.config.created) : NaN;
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Nanoseconds, for the before/since/until comparisons, which dockerd makes at full precision. */
function createdNanos(img: Image): bigint | undefined {
  if (!img.config.created) return undefined;
  try {
    return parseTimeFilter(img.config.created);
  } catch {
    return undefined;
  }
}

/** The forms a reference filter's pattern is matched against: familiar with and without tag, and fully qualified. */
function referenceForms(ref: string): string[] {
  const r = parseReference(ref);
  const full = `${r.domain}/${r.path}`;
  const familiar = ref.replace(/[:@][^/]*$/, "");
  return [ref, familiar, r.digest ? `${full}@${r.digest}` : `${full}:${r.tag ?? "latest"}`, full];
}

/** GET /images/json, as dockerd's classic image service lists (filters dangling, label, before, since, until, reference). */
export function listImages(store: ImageStore, usedBy: (imageId: string) => number, filters: FilterArgs, opts: ListOptions) {
  filters.validate(["dangling", "label", "before", "since", "reference", "until"]);
  const danglingOnly = filters.boolOrDefault("dangling", false);
  let before: bigint | undefined;
  let since: bigint | undefined;
  for (const name of filters.get("before")) {
    const t = createdNanos(store.resolve(name));
    if (t !== undefined && (before === undefined || t < before)) before = t;
  }
  for (const value of filters.get("until")) {
    let t: bigint;
    try {
      t = parseTimeFilter(value);
    } catch (err) {
      throw new InvalidParameterError(`invalid value for 'until' filter: ${(err as Error).message}`);
    }
    if (before === undefined || t < before) before = t;
  }
  for (const name of filters.get("since")) {
    const t = createdNanos(store.resolve(name));
    if (t !== undefined && (since === undefined || t > since)) since = t;
  }
  const everything = store.list();
  const selected = danglingOnly ? everything.filter((img) => store.children(img.id).length === 0) : everything;
  const out: { img: Image; tags: string[]; digests: string[] }[] = [];
  for (const img of selected) {
    const created = createdNanos(img);
    if (before !== undefined && (created === undefined || created >= before)) continue;
    if (since !== undefined && (created === undefined || created <= since)) continue;
    if (filters.contains("label") && !filters.matchKVList("label", img.config.config?.Labels ?? {})) continue;
    const keep = (ref: string) => !filters.contains("reference") || filters.get("reference").some((p) => referenceForms(ref).some((f) => pathMatch(p, f)));
    const tags = img.tags.filter(keep);
    const digests = img.digests.filter(keep);
    if (tags.length === 0 && digests.length === 0) {
      if (!opts.all && store.children(img.id).length > 0) continue;
      if (filters.contains("dangling") && !danglingOnly) continue;
      if (filters.contains("reference")) continue;
    } else if (danglingOnly && tags.length > 0) continue;
    out.push({ img, tags, digests });
  }
  const shared = opts.sharedSize ? sharedSizes(store, everything) : undefined;
  const noneForUntagged = versionLessThan(opts.apiVersion, "1.43");
  return out
    .sort((a, b) => (createdSeconds(b.img) ?? 0) - (createdSeconds(a.img) ?? 0))
    .map(({ img, tags, digests }) => {
      const untagged = tags.length === 0 && digests.length === 0;
      return {
        Containers: versionLessThan(opts.apiVersion, "1.51") ? -1 : usedBy(img.id),
        Created: createdSeconds(img) ?? 0,
        Id: img.id,
        Labels: img.config.config?.Labels ?? null,
        ParentId: img.parent,
        // Before API 1.43 an untagged image showed "<none>" and an empty list was null.
        RepoDigests: noneForUntagged ? (untagged ? ["<none>@<none>"] : digests.length ? digests : null) : digests,
        RepoTags: noneForUntagged ? (untagged ? ["<none>:<none>"] : tags.length ? tags : null) : tags,
        SharedSize: shared?.(img) ?? -1,
        Size: img.size,
        ...(versionLessThan(opts.apiVersion, "1.44") ? { VirtualSize: img.size } : {}),
      };
    });
}

/** Each image's bytes in layers (by chain) that some other image also has. */
function sharedSizes(store: ImageStore, all: Image[]): (img: Image) => number {
  const refs = new Map<string, number>();
  for (const img of all) for (const c of chainIds(img.config.rootfs.diff_ids)) refs.set(c, (refs.get(c) ?? 0) + 1);
  return (img) => {
    const diffIds = img.config.rootfs.diff_ids;
    return chainIds(diffIds).reduce((sum, c, i) => sum + ((refs.get(c) ?? 0) > 1 ? store.layers.diffSize(diffIds[i]) : 0), 0);
  };
}
