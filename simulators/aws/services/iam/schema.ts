import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const roles = sqliteTable("iam_roles", {
  name: text("name").primaryKey(),
  id: text("id").notNull(),
  arn: text("arn").notNull().unique(),
  path: text("path").notNull(),
  assumeRolePolicy: text("assume_role_policy").notNull(),
  description: text("description").notNull(),
  maxSessionDuration: integer("max_session_duration").notNull(),
  created: text("created").notNull(),
});
