import type Database from "better-sqlite3";
import { and, asc, desc, eq, inArray, ne } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { clusters, tags, taskDefinitions, tasks } from "./schema.js";
import type { Cluster, Tag, Task, TaskDefinition } from "./types.js";

/** ECS state in SQLite: clusters, task definitions, tasks and tags. */
export class EcsStore {
  private readonly db;

  constructor(sqlite: Database.Database) {
    this.db = drizzle(sqlite);
  }

  cluster(name: string): Cluster | undefined {
    const row = this.db.select().from(clusters).where(eq(clusters.name, name)).get();
    return row && (JSON.parse(row.body) as Cluster);
  }

  putCluster(c: Cluster): void {
    const row = { name: c.clusterName, arn: c.clusterArn, status: c.status, body: JSON.stringify(c) };
    this.db.insert(clusters).values(row).onConflictDoUpdate({ target: clusters.name, set: row }).run();
  }

  activeClusterArns(): string[] {
    return this.db.select({ arn: clusters.arn }).from(clusters).where(eq(clusters.status, "ACTIVE")).orderBy(asc(clusters.arn)).all().map((r) => r.arn);
  }

  taskDefinition(family: string, revision: number): TaskDefinition | undefined {
    const row = this.db.select().from(taskDefinitions).where(and(eq(taskDefinitions.family, family), eq(taskDefinitions.revision, revision))).get();
    return row && (JSON.parse(row.body) as TaskDefinition);
  }

  /** The family's latest ACTIVE revision. */
  latestActive(family: string): TaskDefinition | undefined {
    const row = this.db
      .select()
      .from(taskDefinitions)
      .where(and(eq(taskDefinitions.family, family), eq(taskDefinitions.status, "ACTIVE")))
      .orderBy(desc(taskDefinitions.revision))
      .get();
    return row && (JSON.parse(row.body) as TaskDefinition);
  }

  /** The next revision number: revisions are never reused, even after deletion. */
  nextRevision(family: string): number {
    const row = this.db.select({ revision: taskDefinitions.revision }).from(taskDefinitions).where(eq(taskDefinitions.family, family)).orderBy(desc(taskDefinitions.revision)).get();
    return (row?.revision ?? 0) + 1;
  }

  putTaskDefinition(td: TaskDefinition): void {
    const row = { arn: td.taskDefinitionArn, family: td.family, revision: td.revision, status: td.status, body: JSON.stringify(td) };
    this.db.insert(taskDefinitions).values(row).onConflictDoUpdate({ target: taskDefinitions.arn, set: row }).run();
  }

  taskDefinitionRows(status: string | undefined, order: "ASC" | "DESC"): { arn: string; family: string; revision: number; status: string }[] {
    const direction = order === "DESC" ? desc : asc;
    return this.db
      .select({ arn: taskDefinitions.arn, family: taskDefinitions.family, revision: taskDefinitions.revision, status: taskDefinitions.status })
      .from(taskDefinitions)
      .where(status ? eq(taskDefinitions.status, status) : ne(taskDefinitions.status, ""))
      .orderBy(direction(taskDefinitions.family), direction(taskDefinitions.revision))
      .all();
  }

  task(id: string): Task | undefined {
    const row = this.db.select().from(tasks).where(eq(tasks.id, id)).get();
    return row && (JSON.parse(row.body) as Task);
  }

  putTask(t: Task): void {
    const id = t.taskArn.slice(t.taskArn.lastIndexOf("/") + 1);
    const family = t.taskDefinitionArn.slice(t.taskDefinitionArn.lastIndexOf("/") + 1).replace(/:\d+$/, "");
    const { tags: _omitted, ...body } = t;
    const row = {
      arn: t.taskArn,
      id,
      clusterArn: t.clusterArn,
      family,
      startedBy: t.startedBy ?? "",
      launchType: t.launchType,
      desiredStatus: t.desiredStatus,
      lastStatus: t.lastStatus,
      createdAt: Math.round(t.createdAt * 1000),
      body: JSON.stringify(body),
    };
    this.db.insert(tasks).values(row).onConflictDoUpdate({ target: tasks.arn, set: row }).run();
  }

  tasksOf(clusterArn: string): { arn: string; id: string; family: string; startedBy: string; launchType: string; desiredStatus: string; lastStatus: string }[] {
    return this.db
      .select({ arn: tasks.arn, id: tasks.id, family: tasks.family, startedBy: tasks.startedBy, launchType: tasks.launchType, desiredStatus: tasks.desiredStatus, lastStatus: tasks.lastStatus })
      .from(tasks)
      .where(eq(tasks.clusterArn, clusterArn))
      .orderBy(asc(tasks.createdAt), asc(tasks.arn))
      .all();
  }

  /** Tasks not yet STOPPED, of every cluster. */
  unfinishedTasks(): Task[] {
    return this.db.select().from(tasks).where(ne(tasks.lastStatus, "STOPPED")).all().map((r) => JSON.parse(r.body) as Task);
  }

  tagsOf(resourceArn: string): Tag[] {
    return this.db.select().from(tags).where(eq(tags.resourceArn, resourceArn)).orderBy(asc(tags.key)).all().map((r) => ({ key: r.key, value: r.value }));
  }

  putTags(resourceArn: string, list: Tag[]): void {
    for (const t of list) {
      const row = { resourceArn, key: t.key, value: t.value };
      this.db.insert(tags).values(row).onConflictDoUpdate({ target: [tags.resourceArn, tags.key], set: { value: t.value } }).run();
    }
  }

  removeTags(resourceArn: string, keys: string[]): void {
    if (keys.length > 0) this.db.delete(tags).where(and(eq(tags.resourceArn, resourceArn), inArray(tags.key, keys))).run();
  }
}
