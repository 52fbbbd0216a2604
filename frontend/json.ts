import type { Context } from "hono";
import { InvalidParameterError, PayloadTooLargeError } from "../engine/errors.js";

/** Largest JSON request body accepted (container configs are a few KiB). */
export const MAX_JSON_BODY = 4 * 1024 * 1024;

/**
 * Reads a JSON request body as moby's httputils.ReadJSON does: a non-JSON
 * Content-Type is refused, an empty body means "no options", trailing data
 * after the value is an error. Bodies over the limit are refused unread.
 */
export async function readJsonObject<T extends object>(c: Context, limit = MAX_JSON_BODY): Promise<Partial<T>> {
  const type = c.req.header("content-type");
  const text = await readBodyText(c, limit);
  if (text.length === 0 && !type) return {};
  if (type !== undefined && !/^application\/json\s*(;.*)?$/i.test(type.trim())) {
    throw new InvalidParameterError(`unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  if (text.trim().length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidParameterError(`invalid JSON: ${(err as Error).message}`);
  }
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidParameterError(`invalid JSON: expected an object, got ${Array.isArray(value) ? "an array" : typeof value}`);
  }
  return value as Partial<T>;
}

/**
 * Go's encoding/json matches an object's keys to struct fields without regard
 * to case (an exact match first): docker-py, for one, sends `detachKeys`.
 * Keys matching none of `fields` are kept as they are.
 */
export function withGoFieldNames<T extends object>(value: Partial<T>, fields: readonly (keyof T & string)[]): Partial<T> {
  const out: Record<string, unknown> = {};
  const byLower = new Map(fields.map((f) => [f.toLowerCase(), f]));
  for (const [key, v] of Object.entries(value)) {
    const field = fields.includes(key as keyof T & string) ? key : (byLower.get(key.toLowerCase()) ?? key);
    if (field === key || !(field in value)) out[field] = v;
  }
  return out as Partial<T>;
}

async function readBodyText(c: Context, limit: number): Promise<string> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(limit: number) {
  return new PayloadTooLargeError(`request body exceeds the limit of ${limit} bytes`);
}
