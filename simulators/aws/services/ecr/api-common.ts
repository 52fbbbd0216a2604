import { AwsError } from "../../errors.js";
import type { JsonInput } from "../../request.js";
import type { SimContext } from "../../service.js";
import type { BlobFiles } from "./blobs.js";
import type { EcrStore, Repository } from "./store.js";
import type { RegistryTokens } from "./tokens.js";

export interface ApiDeps {
  store: EcrStore;
  blobs: BlobFiles;
  tokens: RegistryTokens;
  ctx: Pick<SimContext, "accountId" | "region" | "endpoint">;
  /** host:port of the registry, the prefix of every repositoryUri. */
  registryHost: string;
}

export const invalid = (member: string, constraint: string) => new AwsError("InvalidParameterException", `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`);

/** A member that must be present, as AWS's request validation reports a missing one. */
export function required(input: JsonInput, member: string): string {
  const value = input[member];
  if (value === undefined || value === null) throw new AwsError("ValidationException", `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  if (typeof value !== "string") throw new AwsError("SerializationException", `Unexpected value type for ${member}: expected a string`);
  return value;
}

export function optionalString(input: JsonInput, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new AwsError("SerializationException", `Unexpected value type for ${member}: expected a string`);
  return value;
}

export function list<T>(input: JsonInput, member: string): T[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new AwsError("SerializationException", `Unexpected value type for ${member}: expected a list`);
  return value as T[];
}

/** The registry asked about: only this account's, as the caller's credentials reach no other. */
export function registryId(deps: ApiDeps, input: JsonInput): string {
  const id = optionalString(input, "registryId") ?? deps.ctx.accountId;
  if (!/^[0-9]{12}$/.test(id)) throw invalid("registryId", "must satisfy regular expression '[0-9]{12}'");
  return id;
}

export const notFound = (name: string, registry: string) =>
  new AwsError("RepositoryNotFoundException", `The repository with name '${name}' does not exist in the registry with id '${registry}'`);

/** The repository a request names, in the registry it names. */
export function repository(deps: ApiDeps, input: JsonInput): Repository {
  const registry = registryId(deps, input);
  const name = required(input, "repositoryName");
  const repo = registry === deps.ctx.accountId ? deps.store.repository(name) : undefined;
  if (!repo) throw notFound(name, registry);
  return repo;
}

/** The filter's tagStatus of list operations. */
export function tagStatus(input: JsonInput): "TAGGED" | "UNTAGGED" | "ANY" {
  const status = (input.filter as { tagStatus?: unknown } | undefined)?.tagStatus ?? "ANY";
  if (status !== "TAGGED" && status !== "UNTAGGED" && status !== "ANY") throw invalid("filter.tagStatus", "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]");
  return status;
}

/** ECR's timestamps on the wire: seconds since the epoch. */
export const seconds = (ms: number) => ms / 1000;

/** One page of a list: maxResults within 1..max (100 when not given, as ECR), nextToken an offset this simulator gave out. */
export function page<T>(items: T[], input: JsonInput, max = 1000, fallback = 100): { items: T[]; nextToken?: string } {
  const maxResults = input.maxResults;
  if (maxResults !== undefined && (typeof maxResults !== "number" || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > max)) {
    throw invalid("maxResults", `Member must have value less than or equal to ${max} and greater than or equal to 1`);
  }
  const token = optionalString(input, "nextToken");
  let start = 0;
  if (token !== undefined) {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    const m = /^offset:(\d+)$/.exec(decoded);
    if (!m) throw invalid("nextToken", "Invalid NextToken");
    start = Number(m[1]);
  }
  const size = (maxResults as number | undefined) ?? fallback;
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(`offset:${end}`).toString("base64url") } : {}) };
}
