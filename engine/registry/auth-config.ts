import { InvalidParameterError } from "../errors.js";

/** Credentials a client sends for a registry (X-Registry-Auth, POST /auth), as Docker's registry.AuthConfig. */
export interface AuthConfig {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/**
 * Decodes an X-Registry-Auth header: base64url (padding optional) of a JSON
 * AuthConfig. An empty header means anonymous. As dockerd, a header that is
 * not valid base64 JSON is refused.
 */
export function parseRegistryAuth(header: string | undefined): AuthConfig {
  if (!header) return {};
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(header.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"));
  } catch {
    throw new InvalidParameterError("invalid X-Registry-Auth header: it must be base64url-encoded JSON");
  }
  if (json === null) return {};
  if (typeof json !== "object" || Array.isArray(json)) throw new InvalidParameterError("invalid X-Registry-Auth header: it must be base64url-encoded JSON");
  return fromJson(json as Record<string, unknown>);
}

/** An AuthConfig from a JSON object, keeping only string fields (names are case-insensitive, as Go's decoder). */
export function fromJson(obj: Record<string, unknown>): AuthConfig {
  const out: AuthConfig = {};
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value !== "string") continue;
    const k = key.toLowerCase();
    if (k === "username" || k === "password" || k === "serveraddress" || k === "identitytoken" || k === "registrytoken") out[k] = value;
  }
  return out;
}
