import { InvalidParameterError, NotFoundError } from "../errors.js";
import { RegistryClient } from "../registry/client.js";
import { sendImage, type PushContext } from "./push.js";
import { parseReference } from "./reference.js";

/**
 * Pushes a stored image, named by ID, to `reference` (REPOSITORY:TAG) for a
 * backend that runs it elsewhere: the store is not tagged and gains no
 * RepoDigest, since no client asked for a push. Answers the manifest digest.
 */
export async function pushImageById(ctx: Omit<PushContext, "emit">, imageId: string, reference: string): Promise<string> {
  const ref = parseReference(reference);
  if (!ref.tag || ref.digest) throw new InvalidParameterError(`push target "${reference}" must be REPOSITORY:TAG`);
  const image = ctx.store.get(imageId);
  if (!image) throw new NotFoundError(`No such image: ${imageId}`);
  const client = new RegistryClient(ref.domain, ctx.access).scope(ref.path, "pull,push");
  await client.ping();
  const { digest } = await sendImage({ ...ctx, emit: () => {} }, client, ref, ref.tag, image);
  return digest;
}
