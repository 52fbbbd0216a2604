/**
 * The digests a function can be created from as they are: Lambda pulls only
 * from ECR in its own region. Any other image is pushed there first.
 */
export function regionalEcrDigests(repoDigests: string[] | undefined, region: string): string[] {
  const host = new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region.replace(/-/g, "\\-")}\\.amazonaws\\.com(\\.cn)?/`);
  return (repoDigests ?? []).filter((d) => host.test(d));
}
