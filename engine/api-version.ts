/** The Docker Engine API versions this daemon serves. */
export const MIN_API_VERSION = "1.24";
export const MAX_API_VERSION = "1.51";

/**
 * Compares dotted versions the way moby's api/types/versions does: missing
 * or non-numeric parts count as 0, so "1..2" < "1.24" and "1" < "1.24".
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".");
  const pb = b.split(".");
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = parseInt(pa[i] ?? "0", 10) || 0;
    const y = parseInt(pb[i] ?? "0", 10) || 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export const versionLessThan = (a: string, b: string) => compareVersions(a, b) < 0;
export const versionAtLeast = (a: string, b: string) => compareVersions(a, b) >= 0;

/** Splits a `/vX.Y/rest` path into its version and the rest (moby's `/v{version:[0-9.]+}` route). */
export function splitVersionPrefix(path: string): { version?: string; path: string } {
  const m = /^\/v([0-9.]+)(\/.*)?$/.exec(path);
  if (!m) return { path };
  return { version: m[1], path: m[2] ?? "/" };
}

/** Docker's message for an API version outside [MIN, MAX], or undefined when it is served. */
export function unsupportedVersionMessage(version: string): string | undefined {
  if (versionLessThan(version, MIN_API_VERSION)) {
    return `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`;
  }
  if (compareVersions(version, MAX_API_VERSION) > 0) {
    return `client version ${version} is too new. Maximum supported API version is ${MAX_API_VERSION}`;
  }
  return undefined;
}
