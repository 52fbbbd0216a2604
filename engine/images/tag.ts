import { DockerError, InvalidParameterError, NotFoundError } from "../errors.js";
import { familiarName, parseReference } from "./reference.js";
import type { ImageStore } from "./store.js";

const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * moby's httputils.RepoTagReference: REPO[:TAG] plus an optional separate
 * tag, "latest" by default, as familiar NAME:TAG; undefined without a repo.
 */
export function repoTagReference(repo: string, tag: string): string | undefined {
  if (repo === "") return undefined;
  if (/^[a-f0-9]{64}$/.test(repo)) throw new InvalidParameterError(`invalid repository name (${repo}), cannot specify 64-byte hexadecimal strings`);
  const ref = parseReference(repo);
  if (ref.digest) throw new InvalidParameterError("cannot import digest reference");
  if (tag !== "" && !TAG.test(tag)) throw new InvalidParameterError("invalid tag format");
  return `${familiarName(ref)}:${tag || ref.tag || "latest"}`;
}

/** POST /images/{name}/tag: points REPO:TAG at the image named, replacing what it pointed at. */
export function tagImage(store: ImageStore, name: string, repo: string, tag: string): string | undefined {
  const ref = repoTagReference(repo, tag);
  // dockerd answers a request without a repository with an empty success.
  if (ref === undefined) return undefined;
  if (familiarName(parseReference(ref)) === "sha256") throw new InvalidParameterError("refusing to create an ambiguous tag using digest algorithm as name");
  let imageId: string;
  try {
    imageId = store.resolve(name).id;
  } catch (err) {
    // dockerd answers every failure to find the source image with 404.
    if (err instanceof DockerError) throw new NotFoundError(err.message);
    throw err;
  }
  return addTag(store, imageId, ref);
}

/** Records the tag and logs dockerd's `tag` event. */
export function addTag(store: ImageStore, imageId: string, ref: string): string {
  const tagged = store.tag(imageId, ref);
  store.events.image(imageId, tagged, "tag", store.get(imageId)?.config.config?.Labels);
  return tagged;
}
