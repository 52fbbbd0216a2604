import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Lambda functions ($LATEST only); JSON columns hold what AWS returns as maps and lists. */
export const functions = sqliteTable("lambda_functions", {
  name: text("name").primaryKey(),
  arn: text("arn").notNull().unique(),
  role: text("role").notNull(),
  description: text("description").notNull(),
  timeout: integer("timeout").notNull(),
  memorySize: integer("memory_size").notNull(),
  /** Environment.Variables as JSON; "" when none were given. */
  environment: text("environment").notNull(),
  /** ImageConfig (EntryPoint, Command, WorkingDirectory) as JSON; "" when none was given. */
  imageConfig: text("image_config").notNull(),
  tags: text("tags").notNull(),
  imageUri: text("image_uri").notNull(),
  /** The pulled image's ID and the digest reference it was resolved to; "" until a pull succeeds. */
  imageId: text("image_id").notNull(),
  resolvedImageUri: text("resolved_image_uri").notNull(),
  codeSha256: text("code_sha256").notNull(),
  state: text("state").notNull(),
  stateReason: text("state_reason").notNull(),
  stateReasonCode: text("state_reason_code").notNull(),
  lastUpdateStatus: text("last_update_status").notNull(),
  lastUpdateStatusReason: text("last_update_status_reason").notNull(),
  lastUpdateStatusReasonCode: text("last_update_status_reason_code").notNull(),
  revisionId: text("revision_id").notNull(),
  lastModified: text("last_modified").notNull(),
  /** Creation order, for ListFunctions' markers. */
  created: integer("created").notNull(),
});
