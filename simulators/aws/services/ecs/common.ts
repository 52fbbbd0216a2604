import { AwsError } from "../../errors.js";
import type { JsonInput } from "../../request.js";
import type { Tag } from "./types.js";

export const clientError = (message: string) => new AwsError("ClientException", message);
export const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message);
export const clusterNotFound = () => new AwsError("ClusterNotFoundException", "Cluster not found.");

/** An optional string member; a value of another type is the caller's error. */
export function optionalString(input: JsonInput, member: string): string | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new AwsError("SerializationException", `Expected a string for ${member}`);
  return v;
}

export function optionalStrings(input: JsonInput, member: string): string[] | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new AwsError("SerializationException", `Expected a list of strings for ${member}`);
  return v as string[];
}

/** Tags as given: each needs a key; the value may be empty. */
export function tagsFrom(input: JsonInput, member = "tags"): Tag[] {
  const v = input[member];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new AwsError("SerializationException", `Expected a list for ${member}`);
  if (v.length > 50) throw invalidParameter("The maximum number of tags per resource is 50.");
  return v.map((t: { key?: unknown; value?: unknown }) => {
    if (typeof t?.key !== "string" || t.key === "") throw invalidParameter("Tag key cannot be null or empty.");
    if (t.key.toLowerCase().startsWith("aws:")) throw invalidParameter("Tag keys and values cannot begin with 'aws:'.");
    return { key: t.key, value: typeof t.value === "string" ? t.value : "" };
  });
}

/** One page of a list: nextToken is the opaque offset of the next item. */
export function page<T>(items: T[], input: JsonInput, limit = 100): { items: T[]; nextToken?: string } {
  const max = input.maxResults === undefined || input.maxResults === null ? limit : Number(input.maxResults);
  if (!Number.isInteger(max) || max < 1 || max > limit) throw invalidParameter(`maxResults must be between 1 and ${limit}.`);
  let start = 0;
  const token = optionalString(input, "nextToken");
  if (token !== undefined) {
    const decoded = /^ecs-page:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
    if (!decoded) throw invalidParameter("Invalid nextToken.");
    start = Number(decoded[1]);
  }
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(`ecs-page:${start + max}`).toString("base64") : undefined;
  return { items: slice, ...(next ? { nextToken: next } : {}) };
}
