import { ConflictError } from "../errors.js";
import { collectGarbage } from "./gc.js";
import { familiarName, familiarTagged, parseReference } from "./reference.js";
import type { Image, ImageStore } from "./store.js";

/** One entry of DELETE /images/{name}'s answer. */
export type DeleteRecord = { Untagged: string } | { Deleted: string };

export interface DeleteResult {
  records: DeleteRecord[];
  /** Bytes of the layers that went (DiffSize), for a prune's SpaceReclaimed. */
  reclaimed: number;
}

export interface DeleteOptions {
  force: boolean;
  /** Delete untagged parents too (the opposite of `noprune`). */
  prune: boolean;
}

/** Whether a container counts as running for the conflict rules (running or restarting). */
export type IsRunning = (containerId: string) => boolean;

const short = (id: string) => id.replace(/^sha256:/, "").slice(0, 12);
const isDigestRef = (ref: string) => ref.includes("@");
const repoOf = (ref: string) => ref.replace(/[@].*$/, "").replace(/:[^:/]*$/, "");

class DeleteConflict extends ConflictError {
  constructor(
    imageId: string,
    readonly hard: boolean,
    readonly used: boolean,
    reason: string,
  ) {
    super(`conflict: unable to delete ${short(imageId)} (${hard ? "cannot be forced" : "must be forced"}) - ${reason}`);
  }
}

interface Conflicts {
  child: boolean;
  running: boolean;
  reference: boolean;
  stopped: boolean;
}

/** moby's checkImageDeleteConflict, in its order: children, running containers, references, stopped containers. */
function conflict(store: ImageStore, isRunning: IsRunning, img: Image, check: Conflicts): DeleteConflict | undefined {
  if (check.child && store.children(img.id).length > 0) return new DeleteConflict(img.id, true, false, "image has dependent child images");
  const users = store.containersUsing(img.id);
  const running = users.find(isRunning);
  if (check.running && running) return new DeleteConflict(img.id, true, true, `image is being used by running container ${short(running)}`);
  if (check.reference && store.references(img.id).length > 0) return new DeleteConflict(img.id, false, false, "image is referenced in multiple repositories");
  const stopped = users.find((c) => !isRunning(c));
  if (check.stopped && stopped) return new DeleteConflict(img.id, false, true, `image is being used by stopped container ${short(stopped)}`);
  return undefined;
}

/** moby's isSingleReference: one tag, possibly with digests of that same repository. */
function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const tags = refs.filter((r) => !isDigestRef(r));
  if (tags.length > 1) return false;
  const digestRepos = new Set(refs.filter(isDigestRef).map(repoOf));
  const single = tags[0] ?? refs[0];
  return digestRepos.size === 1 && digestRepos.has(repoOf(single));
}

/**
 * DELETE /images/{name}, as dockerd's ImageDelete with the classic store:
 * a name removes that reference only (and the image once none is left); an
 * ID removes the image and its references, subject to the conflict rules.
 */
export function deleteImage(store: ImageStore, isRunning: IsRunning, name: string, opts: DeleteOptions): DeleteResult {
  const img = store.resolve(name);
  const result: DeleteResult = { records: [], reclaimed: 0 };
  const { records } = result;
  const untagged = (ref: string) => {
    store.untag(ref);
    store.events.image(img.id, img.id, "untag", img.config.config?.Labels);
    records.push({ Untagged: ref });
  };
  let refs = store.references(img.id);
  let removedRepositoryRef = false;
  const hex = img.id.slice("sha256:".length);
  if (!img.id.startsWith(name) && !hex.startsWith(name)) {
    if (!opts.force && isSingleReference(refs)) {
      const user = store.containersUsing(img.id)[0];
      if (user) {
        throw new ConflictError(`conflict: unable to remove repository reference "${name}" (must force) - container ${short(user)} is using its referenced image ${short(img.id)}`);
      }
    }
    const parsed = parseReference(name);
    const ref = parsed.digest ? `${familiarName(parsed)}@${parsed.digest}` : familiarTagged(parsed);
    untagged(ref);
    refs = store.references(img.id);
    if (!isDigestRef(ref) && !refs.some((r) => !isDigestRef(r) && repoOf(r) === repoOf(ref))) {
      // The repository's last tag is gone: its digest references go too.
      for (const r of refs.filter((r) => isDigestRef(r) && repoOf(r) === repoOf(ref))) {
        store.untag(r);
        records.push({ Untagged: r });
      }
      refs = store.references(img.id);
    }
    if (refs.length > 0) return result;
    removedRepositoryRef = true;
  } else if (isSingleReference(refs)) {
    const found = conflict(store, isRunning, img, { child: true, running: true, reference: false, stopped: !opts.force });
    if (found) throw found;
    for (const r of refs) untagged(r);
  }
  deleteHelper(store, isRunning, img, result, opts.force, opts.prune, removedRepositoryRef);
  return result;
}

/** moby's imageDeleteHelper: the image itself, the layers only it used, then (when pruning) its untagged parents, quietly. */
function deleteHelper(store: ImageStore, isRunning: IsRunning, img: Image, result: DeleteResult, force: boolean, prune: boolean, quiet: boolean): void {
  const { records } = result;
  const found = conflict(store, isRunning, img, { child: true, running: true, reference: !force, stopped: !force });
  if (found) {
    const dangling = store.references(img.id).length === 0 && store.children(img.id).length === 0;
    if (quiet && (!dangling || found.used)) return;
    throw found;
  }
  for (const r of store.references(img.id)) {
    store.untag(r);
    store.events.image(img.id, img.id, "untag", img.config.config?.Labels);
    records.push({ Untagged: r });
  }
  store.delete(img.id);
  const layers = collectGarbage(store, { diffIds: img.config.rootfs.diff_ids });
  store.events.image(img.id, img.id, "delete");
  records.push({ Deleted: img.id });
  for (const l of layers) {
    records.push({ Deleted: l.chainId });
    result.reclaimed += l.size;
  }
  if (!prune || img.parent === "") return;
  const parent = store.get(img.parent);
  if (parent && !parent.removed) deleteHelper(store, isRunning, parent, result, false, true, true);
}
