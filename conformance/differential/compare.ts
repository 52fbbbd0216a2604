/** Response normalisation and comparison for differential cases. */

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body's bytes, for tar answers. */
  raw?: Buffer;
}

/**
 * The reference engine's figures that legitimately differ from ours: ids,
 * times, sizes and the API version bounds of each engine.
 */
export function normalise(value: unknown, bounds: { min: string; max: string }): unknown {
  if (typeof value === "string") {
    return value
      .replace(/\b[0-9a-f]{64}\b/g, "<id>")
      .replace(/\b[0-9a-f]{12}\b/g, "<short-id>")
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, "<time>")
      .replace(new RegExp(`supported API version is ${bounds.max.replace(".", "\\.")}\\b`, "g"), "supported API version is <max>")
      .replace(new RegExp(`supported API version is ${bounds.min.replace(".", "\\.")}\\b`, "g"), "supported API version is <min>")
      // Docker 20.10 wraps image lookups twice: "no such image: x: No such image: x:latest".
      .replace(/^no such image: [^:]+(?::[^:]+)?: (No such image: .*)$/, "$1");
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, bounds));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, bounds)]));
  }
  return value;
}

/** A newline-delimited JSON body as the list of its lines, each reduced to the given dotted paths. */
export function linesOf(a: Answer, paths: string[]): unknown {
  if (a.status !== 200) return bodyOf(a);
  const lines = a.text.split("\n").filter((l) => l.trim() !== "");
  return lines.map((l) => {
    const value = JSON.parse(l) as unknown;
    return Object.fromEntries(paths.map((p) => [p, p.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), value) ?? null]));
  });
}

/** The body as JSON; Docker 20.10 sends some version errors as plain text, which count as {message}. */
export function bodyOf(a: Answer): unknown {
  if (a.text === "") return "";
  try {
    return JSON.parse(a.text);
  } catch {
    return a.status >= 400 ? { message: a.text.trim() } : a.text;
  }
}

function typeOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

function drop(value: unknown, ignore: string[], prefix = ""): unknown {
  // A list's elements share its path, so "Created" leaves out each listed container's Created.
  if (Array.isArray(value)) return value.map((v) => drop(v, ignore, prefix));
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (!ignore.includes(path)) out[k] = drop(v, ignore, path);
  }
  return out;
}

/** JSON with object keys sorted, so key order does not count as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Differences between two JSON values: exact equality, or the reference's shape contained in the subject. */
export function differences(ref: unknown, sub: unknown, mode: "exact" | "shape", ignore: string[], path = ""): string[] {
  const r = drop(ref, ignore);
  const s = drop(sub, ignore);
  if (mode === "exact") {
    return canonical(r) === canonical(s) ? [] : [`${path || "body"}: reference ${canonical(r)} != subject ${canonical(s)}`];
  }
  return shapeDiff(r, s, path);
}

function shapeDiff(ref: unknown, sub: unknown, path: string): string[] {
  const at = path || "body";
  // null in the reference stands for an empty list or object in Go's encoder.
  if (ref === null) return [];
  if (typeOf(ref) !== typeOf(sub) && !(sub === null && (typeOf(ref) === "array" || typeOf(ref) === "object"))) {
    return [`${at}: reference is ${typeOf(ref)}, subject is ${typeOf(sub)}`];
  }
  if (typeOf(ref) === "object" && sub !== null) {
    const out: string[] = [];
    for (const [k, v] of Object.entries(ref as Record<string, unknown>)) {
      const s = (sub as Record<string, unknown>)[k];
      if (s === undefined) out.push(`${path ? path + "." : ""}${k}: missing in subject`);
      else out.push(...shapeDiff(v, s, path ? `${path}.${k}` : k));
    }
    return out;
  }
  return [];
}

/** The X-Docker-Container-Path-Stat of an answer without what legitimately differs: mtime, and a directory's size. */
export function pathStatOf(a: Answer): unknown {
  const header = a.headers["x-docker-container-path-stat"];
  if (typeof header !== "string") return undefined;
  const stat = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as Record<string, unknown>;
  delete stat.mtime;
  if ((Number(stat.mode) & 2 ** 31) !== 0) delete stat.size;
  return stat;
}

/** Entry names of a tar body, in order. */
export async function tarNames(body: Buffer): Promise<string[]> {
  const { default: tar } = await import("tar-stream");
  const names: string[] = [];
  const ex = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (h, stream, next) => {
      names.push(h.name);
      stream.on("end", () => next());
      stream.resume();
    });
    ex.on("finish", () => resolve());
    ex.on("error", reject);
  });
  ex.end(body);
  await done;
  return names;
}

/** A JSON array in a stable order, for answers whose order is the engine's file system's. */
export function sorted(value: unknown): unknown {
  return Array.isArray(value) ? [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : value;
}
