import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const repositories = sqliteTable("ecr_repositories", {
  name: text("name").primaryKey(),
  createdAtMs: integer("created_at_ms").notNull(),
  imageTagMutability: text("image_tag_mutability").notNull(),
  scanOnPush: integer("scan_on_push", { mode: "boolean" }).notNull(),
  encryptionType: text("encryption_type").notNull(),
  kmsKey: text("kms_key"),
  /** [{Key, Value}] as the API takes them. */
  tags: text("tags").notNull(),
  /** The repository policy as SetRepositoryPolicy gave it, null when none. */
  policyText: text("policy_text"),
  /** The lifecycle policy as PutLifecyclePolicy gave it, null when none. */
  lifecyclePolicyText: text("lifecycle_policy_text"),
  lifecycleEvaluatedAtMs: integer("lifecycle_evaluated_at_ms"),
  /** The last lifecycle policy preview: the policy it tried and what it would expire (JSON), as StartLifecyclePolicyPreview found it. */
  previewPolicyText: text("preview_policy_text"),
  previewResults: text("preview_results"),
});

/** An image: one manifest in one repository, by digest. */
export const images = sqliteTable(
  "ecr_images",
  {
    repository: text("repository")
      .notNull()
      .references(() => repositories.name, { onDelete: "cascade" }),
    digest: text("digest").notNull(),
    manifest: text("manifest").notNull(),
    mediaType: text("media_type").notNull(),
    artifactMediaType: text("artifact_media_type"),
    sizeBytes: integer("size_bytes").notNull(),
    pushedAtMs: integer("pushed_at_ms").notNull(),
    /** When a client last pulled its manifest, as ECR records it. */
    lastPulledAtMs: integer("last_pulled_at_ms"),
  },
  (t) => [primaryKey({ columns: [t.repository, t.digest] })],
);

export const imageTags = sqliteTable(
  "ecr_image_tags",
  {
    repository: text("repository")
      .notNull()
      .references(() => repositories.name, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
    digest: text("digest").notNull(),
  },
  (t) => [primaryKey({ columns: [t.repository, t.tag] })],
);

/** The blobs (layers, configs) each repository holds; their bytes are content-addressed files shared by all. */
export const repositoryBlobs = sqliteTable(
  "ecr_repository_blobs",
  {
    repository: text("repository")
      .notNull()
      .references(() => repositories.name, { onDelete: "cascade" }),
    digest: text("digest").notNull(),
    size: integer("size").notNull(),
  },
  (t) => [primaryKey({ columns: [t.repository, t.digest] })],
);

/** Blob uploads under way; their bytes so far are a file named by the id. */
export const uploads = sqliteTable("ecr_uploads", {
  id: text("id").primaryKey(),
  repository: text("repository")
    .notNull()
    .references(() => repositories.name, { onDelete: "cascade" }),
  size: integer("size").notNull(),
  startedAtMs: integer("started_at_ms").notNull(),
});

/** Registry passwords GetAuthorizationToken gave out. */
export const tokens = sqliteTable("ecr_tokens", {
  password: text("password").primaryKey(),
  expiresAtMs: integer("expires_at_ms").notNull(),
});
