/**
 * JSON as Go's encoding/json writes dockerd's image structures: fields in
 * struct order, `omitempty` ones left out when empty, maps with sorted keys,
 * and <, >, & escaped. Used where bytes matter (IDs are digests of JSON).
 */

/** JSON.stringify with Go's HTML-safe escaping. */
export function goStringify(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const empty = (v: unknown) =>
  v === undefined || v === null || v === "" || v === false || v === 0 || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** A map's keys sorted, as Go writes maps; null stays null. */
function sortedMap(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const m = v as Record<string, unknown>;
  return Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));
}

/** container.Config (api/types/container) as dockerd 28 marshals it. */
export function goContainerConfig(c: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown, omitEmpty = false) => {
    if (!omitEmpty || !empty(value)) out[key] = value;
  };
  put("Hostname", c.Hostname ?? "");
  put("Domainname", c.Domainname ?? "");
  put("User", c.User ?? "");
  put("AttachStdin", c.AttachStdin ?? false);
  put("AttachStdout", c.AttachStdout ?? false);
  put("AttachStderr", c.AttachStderr ?? false);
  put("ExposedPorts", c.ExposedPorts ? sortedMap(c.ExposedPorts) : undefined, true);
  put("Tty", c.Tty ?? false);
  put("OpenStdin", c.OpenStdin ?? false);
  put("StdinOnce", c.StdinOnce ?? false);
  put("Env", c.Env ?? null);
  put("Cmd", c.Cmd ?? null);
  put("Healthcheck", c.Healthcheck ?? undefined, c.Healthcheck === undefined || c.Healthcheck === null);
  put("ArgsEscaped", c.ArgsEscaped, true);
  put("Image", c.Image ?? "");
  put("Volumes", sortedMap(c.Volumes));
  put("WorkingDir", c.WorkingDir ?? "");
  put("Entrypoint", c.Entrypoint ?? null);
  put("NetworkDisabled", c.NetworkDisabled, true);
  put("OnBuild", c.OnBuild, true);
  put("Labels", sortedMap(c.Labels));
  put("StopSignal", c.StopSignal, true);
  put("StopTimeout", c.StopTimeout ?? undefined, c.StopTimeout === undefined || c.StopTimeout === null);
  put("Shell", c.Shell, true);
  return out;
}

/** image.V1Image as Go marshals it (the legacy per-layer `json` of docker save). */
export function goV1Image(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const opt = (key: string) => {
    if (!empty(v[key])) out[key] = v[key];
  };
  opt("id");
  opt("parent");
  opt("comment");
  out.created = v.created ?? "0001-01-01T00:00:00Z";
  opt("container");
  out.container_config = goContainerConfig((v.container_config ?? {}) as Record<string, unknown>);
  opt("docker_version");
  opt("author");
  if (v.config) out.config = goContainerConfig(v.config as Record<string, unknown>);
  opt("architecture");
  opt("variant");
  opt("os");
  opt("Size");
  return out;
}
