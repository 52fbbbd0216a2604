import { AwsError } from "../../errors.js";
import type { JsonInput } from "../../request.js";
import type { JsonOperation } from "../../service.js";
import { invalid, list, notFound, page, registryId, repository, required, seconds, type ApiDeps } from "./api-common.js";
import type { Repository, Tag } from "./store.js";

const NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const MAX_TAGS = 50;

export function repositoryArn(deps: ApiDeps, name: string): string {
  return `arn:aws:ecr:${deps.ctx.region}:${deps.ctx.accountId}:repository/${name}`;
}

export function repositoryJson(deps: ApiDeps, r: Repository) {
  return {
    repositoryArn: repositoryArn(deps, r.name),
    registryId: deps.ctx.accountId,
    repositoryName: r.name,
    repositoryUri: `${deps.registryHost}/${r.name}`,
    createdAt: seconds(r.createdAtMs),
    imageTagMutability: r.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: { encryptionType: r.encryptionType, ...(r.kmsKey ? { kmsKey: r.kmsKey } : {}) },
  };
}

function validName(name: string): string {
  if (name.length < 2) throw invalid("repositoryName", "Member must have length greater than or equal to 2");
  if (name.length > 256) throw invalid("repositoryName", "Member must have length less than or equal to 256");
  if (!NAME.test(name)) throw invalid("repositoryName", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'");
  return name;
}

function mutability(value: unknown): string {
  if (value === undefined || value === null) return "MUTABLE";
  if (value !== "MUTABLE" && value !== "IMMUTABLE") throw invalid("imageTagMutability", "Member must satisfy enum value set: [MUTABLE, IMMUTABLE]");
  return value;
}

/** Tags as TagResource and CreateRepository take them: keys without the aws: prefix, within AWS's lengths. */
function validTags(input: JsonInput): Tag[] {
  const tags = list<Tag>(input, "tags") ?? [];
  for (const t of tags) {
    if (typeof t?.Key !== "string" || t.Key.length < 1 || t.Key.length > 128) throw new AwsError("InvalidTagParameterException", "Tag keys must be between 1 and 128 characters long");
    if (typeof t.Value !== "string" || t.Value.length > 256) throw new AwsError("InvalidTagParameterException", "Tag values must be at most 256 characters long");
    if (t.Key.toLowerCase().startsWith("aws:")) throw new AwsError("InvalidTagParameterException", "Tag keys cannot start with the reserved prefix aws:");
  }
  return tags;
}

function merge(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) byKey.set(t.Key, t.Value);
  if (byKey.size > MAX_TAGS) throw new AwsError("TooManyTagsException", `A repository can have at most ${MAX_TAGS} tags`);
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

/** The repository a resource ARN names. */
function byArn(deps: ApiDeps, input: JsonInput): Repository {
  const arn = required(input, "resourceArn");
  const m = /^arn:aws:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/.exec(arn);
  if (!m) throw invalid("resourceArn", "Invalid ARN");
  const repo = m[1] === deps.ctx.region && m[2] === deps.ctx.accountId ? deps.store.repository(m[3]) : undefined;
  if (!repo) throw notFound(m[3], m[2]);
  return repo;
}

export function repositoryOperations(deps: ApiDeps): Record<string, JsonOperation> {
  const { store } = deps;
  return {
    CreateRepository: (input) => {
      const registry = registryId(deps, input);
      const name = validName(required(input, "repositoryName"));
      const scanning = (input.imageScanningConfiguration ?? {}) as { scanOnPush?: unknown };
      const encryption = (input.encryptionConfiguration ?? {}) as { encryptionType?: unknown; kmsKey?: unknown };
      const encryptionType = encryption.encryptionType ?? "AES256";
      if (encryptionType !== "AES256" && encryptionType !== "KMS" && encryptionType !== "KMS_DSSE") {
        throw invalid("encryptionConfiguration.encryptionType", "Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]");
      }
      if (encryptionType === "AES256" && encryption.kmsKey !== undefined) throw invalid("encryptionConfiguration", "kmsKey can only be given with encryption type KMS");
      const tags = validTags(input);
      if (tags.length > MAX_TAGS) throw new AwsError("TooManyTagsException", `A repository can have at most ${MAX_TAGS} tags`);
      if (registry !== deps.ctx.accountId) throw notFound(name, registry);
      if (store.repository(name)) throw new AwsError("RepositoryAlreadyExistsException", `The repository with name '${name}' already exists in the registry with id '${registry}'`);
      const row: Repository = {
        name,
        createdAtMs: Date.now(),
        imageTagMutability: mutability(input.imageTagMutability),
        scanOnPush: scanning.scanOnPush === true,
        encryptionType,
        // ECR names the account's AWS managed key when KMS is asked for without one.
        kmsKey: encryptionType === "AES256" ? null : typeof encryption.kmsKey === "string" ? encryption.kmsKey : `arn:aws:kms:${deps.ctx.region}:${deps.ctx.accountId}:alias/aws/ecr`,
        tags: JSON.stringify(merge([], tags)),
        policyText: null,
        lifecyclePolicyText: null,
        lifecycleEvaluatedAtMs: null,
        previewPolicyText: null,
        previewResults: null,
      };
      store.createRepository(row);
      return { repository: repositoryJson(deps, row) };
    },

    DescribeRepositories: (input) => {
      const registry = registryId(deps, input);
      const names = list<string>(input, "repositoryNames");
      if (names !== undefined) {
        if (names.length < 1 || names.length > 100) throw invalid("repositoryNames", "Member must have length less than or equal to 100 and greater than or equal to 1");
        if (input.maxResults !== undefined || input.nextToken !== undefined) throw invalid("repositoryNames", "maxResults and nextToken cannot be used with repositoryNames");
        const found = names.map((n) => {
          const r = registry === deps.ctx.accountId ? store.repository(n) : undefined;
          if (!r) throw notFound(n, registry);
          return r;
        });
        return { repositories: found.map((r) => repositoryJson(deps, r)) };
      }
      const all = registry === deps.ctx.accountId ? store.repositories() : [];
      const p = page(all, input);
      return { repositories: p.items.map((r) => repositoryJson(deps, r)), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },

    DeleteRepository: (input) => {
      const repo = repository(deps, input);
      if (input.force !== true && store.imageCount(repo.name) > 0) {
        throw new AwsError(
          "RepositoryNotEmptyException",
          `The repository with name '${repo.name}' in registry with id '${deps.ctx.accountId}' cannot be deleted because it still contains images`,
        );
      }
      const held = store.blobsOf(repo.name);
      const uploading = store.uploadsOf(repo.name);
      store.deleteRepository(repo.name);
      // Bytes no repository holds any more go with it.
      for (const id of uploading) deps.blobs.discard(id);
      for (const digest of held) if (!store.blobHeld(digest)) deps.blobs.remove(digest);
      return { repository: repositoryJson(deps, repo) };
    },

    PutImageTagMutability: (input) => {
      const repo = repository(deps, input);
      const value = input.imageTagMutability;
      if (value === undefined) required(input, "imageTagMutability");
      const setting = mutability(value);
      store.updateRepository(repo.name, { imageTagMutability: setting });
      return { registryId: deps.ctx.accountId, repositoryName: repo.name, imageTagMutability: setting };
    },

    PutImageScanningConfiguration: (input) => {
      const repo = repository(deps, input);
      const scanning = input.imageScanningConfiguration as { scanOnPush?: unknown } | undefined;
      if (!scanning) required(input, "imageScanningConfiguration");
      store.updateRepository(repo.name, { scanOnPush: scanning?.scanOnPush === true });
      return { registryId: deps.ctx.accountId, repositoryName: repo.name, imageScanningConfiguration: { scanOnPush: scanning?.scanOnPush === true } };
    },

    TagResource: (input) => {
      const repo = byArn(deps, input);
      if (input.tags === undefined) required(input, "tags");
      store.setRepositoryTags(repo.name, merge(store.repositoryTags(repo), validTags(input)));
      return {};
    },

    UntagResource: (input) => {
      const repo = byArn(deps, input);
      const keys = list<string>(input, "tagKeys");
      if (keys === undefined) required(input, "tagKeys");
      const remove = new Set(keys);
      store.setRepositoryTags(repo.name, store.repositoryTags(repo).filter((t) => !remove.has(t.Key)));
      return {};
    },

    ListTagsForResource: (input) => ({ tags: deps.store.repositoryTags(byArn(deps, input)) }),

    DescribeRegistry: (input) => ({ registryId: registryId(deps, input), replicationConfiguration: { rules: [] } }),
  };
}
