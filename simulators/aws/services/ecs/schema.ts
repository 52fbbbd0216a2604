import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Each resource keeps its API shape as JSON, with the columns queries filter on beside it. */
export const clusters = sqliteTable("ecs_clusters", {
  name: text("name").primaryKey(),
  arn: text("arn").notNull().unique(),
  status: text("status").notNull(),
  body: text("body").notNull(),
});

export const taskDefinitions = sqliteTable(
  "ecs_task_definitions",
  {
    arn: text("arn").primaryKey(),
    family: text("family").notNull(),
    revision: integer("revision").notNull(),
    status: text("status").notNull(),
    body: text("body").notNull(),
  },
  (t) => [uniqueIndex("ecs_task_definitions_family_revision").on(t.family, t.revision)],
);

export const tasks = sqliteTable(
  "ecs_tasks",
  {
    arn: text("arn").primaryKey(),
    id: text("id").notNull(),
    clusterArn: text("cluster_arn").notNull(),
    family: text("family").notNull(),
    startedBy: text("started_by").notNull(),
    launchType: text("launch_type").notNull(),
    desiredStatus: text("desired_status").notNull(),
    lastStatus: text("last_status").notNull(),
    createdAt: integer("created_at").notNull(),
    body: text("body").notNull(),
  },
  (t) => [index("ecs_tasks_cluster").on(t.clusterArn, t.desiredStatus), uniqueIndex("ecs_tasks_id").on(t.id)],
);

export const tags = sqliteTable(
  "ecs_tags",
  {
    resourceArn: text("resource_arn").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.resourceArn, t.key] })],
);
