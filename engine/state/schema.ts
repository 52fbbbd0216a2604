import { sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Daemon-wide facts that must survive restarts (its ID, first start time). */
export const daemonMeta = sqliteTable("daemon_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
