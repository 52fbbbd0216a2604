import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const logGroups = sqliteTable("logs_groups", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  created: integer("created").notNull(),
  /** Null: events never expire. */
  retentionDays: integer("retention_days"),
  groupClass: text("group_class").notNull(),
  /** The UTF-8 bytes of every message stored in the group. */
  storedBytes: integer("stored_bytes").notNull().default(0),
  /** A JSON object of tag keys to values. */
  tags: text("tags").notNull().default("{}"),
});

export const logStreams = sqliteTable(
  "logs_streams",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    groupId: integer("group_id")
      .notNull()
      .references(() => logGroups.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    created: integer("created").notNull(),
    firstEvent: integer("first_event"),
    lastEvent: integer("last_event"),
    lastIngestion: integer("last_ingestion"),
    /** How many PutLogEvents calls the stream took: its upload sequence token. */
    uploads: integer("uploads").notNull().default(0),
  },
  (t) => [uniqueIndex("logs_streams_group_name").on(t.groupId, t.name), index("logs_streams_group_last_event").on(t.groupId, t.lastEvent, t.name)],
);

export const logEvents = sqliteTable(
  "logs_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    streamId: integer("stream_id")
      .notNull()
      .references(() => logStreams.id, { onDelete: "cascade" }),
    groupId: integer("group_id").notNull(),
    timestamp: integer("timestamp").notNull(),
    ingestion: integer("ingestion").notNull(),
    message: text("message").notNull(),
  },
  // Events are read in (timestamp, id) order within a stream (GetLogEvents) and within a group (FilterLogEvents).
  (t) => [index("logs_events_stream_position").on(t.streamId, t.timestamp, t.id), index("logs_events_group_position").on(t.groupId, t.timestamp, t.id)],
);
