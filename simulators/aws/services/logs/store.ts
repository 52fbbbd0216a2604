import type Database from "better-sqlite3";
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { AwsError } from "../../errors.js";
import { messageBytes, type InputEvent } from "./ingest.js";
import { logEvents, logGroups, logStreams } from "./schema.js";
import type { Direction, Position } from "./tokens.js";

export type Group = typeof logGroups.$inferSelect;
export type Stream = typeof logStreams.$inferSelect;
export type StoredEvent = typeof logEvents.$inferSelect;

/** A time window over event timestamps; either end may be open. */
export interface TimeRange {
  from?: number;
  /** Events at or after this are outside the range. */
  until?: number;
}

export function groupNotFound(): AwsError {
  return new AwsError("ResourceNotFoundException", "The specified log group does not exist.");
}

export function streamNotFound(): AwsError {
  return new AwsError("ResourceNotFoundException", "The specified log stream does not exist.");
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** CloudWatch Logs' tables: log groups, their streams and the streams' events. */
export class LogStore {
  private readonly db;
  /** Prepared once: PutLogEvents writes up to 10,000 rows a call. */
  private readonly insertEvent;

  constructor(sqlite: Database.Database) {
    this.db = drizzle(sqlite);
    const field = (name: string) => sql.placeholder(name);
    this.insertEvent = this.db
      .insert(logEvents)
      .values({ streamId: field("streamId"), groupId: field("groupId"), timestamp: field("timestamp"), ingestion: field("ingestion"), message: field("message") })
      .prepare();
  }

  findGroup(name: string): Group | undefined {
    return this.db.select().from(logGroups).where(eq(logGroups.name, name)).get();
  }

  group(name: string): Group {
    const g = this.findGroup(name);
    if (!g) throw groupNotFound();
    return g;
  }

  createGroup(values: { name: string; groupClass: string; tags: Record<string, string>; created: number }): void {
    if (this.findGroup(values.name)) throw new AwsError("ResourceAlreadyExistsException", "The specified log group already exists");
    this.db
      .insert(logGroups)
      .values({ name: values.name, groupClass: values.groupClass, tags: JSON.stringify(values.tags), created: values.created })
      .run();
  }

  deleteGroup(name: string): void {
    this.db.delete(logGroups).where(eq(logGroups.id, this.group(name).id)).run();
  }

  setRetention(name: string, days: number | null, now: number): void {
    const group = this.group(name);
    this.db.update(logGroups).set({ retentionDays: days }).where(eq(logGroups.id, group.id)).run();
    this.expire({ ...group, retentionDays: days }, now);
  }

  /**
   * Deletes the group's events older than its retention period, as AWS
   * does in the background, and what they counted in storedBytes and in
   * their streams' first event times.
   */
  expire(group: Group, now: number): void {
    if (group.retentionDays === null) return;
    const cutoff = now - group.retentionDays * DAY_MS;
    const oldest = this.db
      .select({ timestamp: logEvents.timestamp })
      .from(logEvents)
      .where(eq(logEvents.groupId, group.id))
      .orderBy(asc(logEvents.timestamp))
      .limit(1)
      .get();
    if (!oldest || oldest.timestamp >= cutoff) return;
    const expired = and(eq(logEvents.groupId, group.id), lt(logEvents.timestamp, cutoff));
    this.db.transaction((tx) => {
      const { bytes, streams } = tx
        .select({ bytes: sql<number>`coalesce(sum(length(cast(${logEvents.message} as blob))), 0)`, streams: sql<string>`json_group_array(distinct ${logEvents.streamId})` })
        .from(logEvents)
        .where(expired)
        .get()!;
      tx.delete(logEvents).where(expired).run();
      tx.update(logGroups)
        .set({ storedBytes: sql`${logGroups.storedBytes} - ${bytes}` })
        .where(eq(logGroups.id, group.id))
        .run();
      const first = sql`(select min(e.timestamp) from logs_events e where e.stream_id = logs_streams.id)`;
      tx.update(logStreams)
        .set({ firstEvent: first })
        .where(inArray(logStreams.id, JSON.parse(streams) as number[]))
        .run();
    });
  }

  setTags(group: Group, tags: Record<string, string>): void {
    this.db.update(logGroups).set({ tags: JSON.stringify(tags) }).where(eq(logGroups.id, group.id)).run();
  }

  /** Groups by name, after `after`; `prefix` and `contains` are case-sensitive. */
  listGroups(q: { prefix?: string; contains?: string; names?: string[]; classes?: string[]; after?: string; limit: number }): Group[] {
    const where: SQL[] = [];
    if (q.names) where.push(inArray(logGroups.name, q.names));
    if (q.classes) where.push(inArray(logGroups.groupClass, q.classes));
    if (q.prefix) where.push(sql`substr(${logGroups.name}, 1, ${q.prefix.length}) = ${q.prefix}`);
    if (q.contains) where.push(sql`instr(${logGroups.name}, ${q.contains}) > 0`);
    if (q.after !== undefined) where.push(sql`${logGroups.name} > ${q.after}`);
    return this.db
      .select()
      .from(logGroups)
      .where(and(...where))
      .orderBy(asc(logGroups.name))
      .limit(q.limit)
      .all();
  }

  findStream(group: Group, name: string): Stream | undefined {
    return this.db
      .select()
      .from(logStreams)
      .where(and(eq(logStreams.groupId, group.id), eq(logStreams.name, name)))
      .get();
  }

  stream(group: Group, name: string): Stream {
    const s = this.findStream(group, name);
    if (!s) throw streamNotFound();
    return s;
  }

  createStream(group: Group, name: string, created: number): void {
    if (this.findStream(group, name)) throw new AwsError("ResourceAlreadyExistsException", "The specified log stream already exists");
    this.db.insert(logStreams).values({ groupId: group.id, name, created }).run();
  }

  deleteStream(group: Group, name: string): void {
    const s = this.stream(group, name);
    this.db.transaction((tx) => {
      const bytes = tx
        .select({ n: sql<number>`coalesce(sum(length(cast(${logEvents.message} as blob))), 0)` })
        .from(logEvents)
        .where(eq(logEvents.streamId, s.id))
        .get()!.n;
      tx.delete(logStreams).where(eq(logStreams.id, s.id)).run();
      tx.update(logGroups)
        .set({ storedBytes: sql`${logGroups.storedBytes} - ${bytes}` })
        .where(eq(logGroups.id, group.id))
        .run();
    });
  }

  /**
   * Streams in name order or by last event time (streams without events
   * first), after the key `after` names, in either direction.
   */
  listStreams(group: Group, q: { prefix?: string; byLastEvent: boolean; descending: boolean; after?: [number, string]; limit?: number }): Stream[] {
    const where: SQL[] = [eq(logStreams.groupId, group.id)];
    if (q.prefix) where.push(sql`substr(${logStreams.name}, 1, ${q.prefix.length}) = ${q.prefix}`);
    // Streams without events sort as if their last event were before any other.
    const keys = q.byLastEvent ? [sql`coalesce(${logStreams.lastEvent}, -1)`, sql`${logStreams.name}`] : [sql`${logStreams.name}`];
    if (q.after) {
      const after = q.byLastEvent ? sql`(${q.after[0]}, ${q.after[1]})` : sql`(${q.after[1]})`;
      where.push(sql`(${sql.join(keys, sql`, `)}) ${q.descending ? sql`<` : sql`>`} ${after}`);
    }
    const order = q.descending ? desc : asc;
    const query = this.db
      .select()
      .from(logStreams)
      .where(and(...where))
      .orderBy(...keys.map((k) => order(k)));
    return q.limit === undefined ? query.all() : query.limit(q.limit).all();
  }

  streamsOf(group: Group, ids: number[]): Map<number, string> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .select({ id: logStreams.id, name: logStreams.name })
      .from(logStreams)
      .where(and(eq(logStreams.groupId, group.id), inArray(logStreams.id, ids)))
      .all();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Stores accepted events (already in order) and counts the upload; returns the stream's upload count. */
  append(group: Group, stream: Stream, events: InputEvent[], ingestion: number): number {
    this.expire(group, ingestion);
    return this.db.transaction((tx) => {
      for (const e of events) this.insertEvent.run({ streamId: stream.id, groupId: group.id, timestamp: e.timestamp, ingestion, message: e.message });
      const bytes = events.reduce((n, e) => n + messageBytes(e.message), 0);
      if (bytes > 0) {
        tx.update(logGroups)
          .set({ storedBytes: sql`${logGroups.storedBytes} + ${bytes}` })
          .where(eq(logGroups.id, group.id))
          .run();
      }
      const first = events.length > 0 ? events[0].timestamp : null;
      const last = events.length > 0 ? events[events.length - 1].timestamp : null;
      const updated = tx
        .update(logStreams)
        .set({
          uploads: sql`${logStreams.uploads} + 1`,
          ...(first === null
            ? {}
            : {
                firstEvent: sql`min(coalesce(${logStreams.firstEvent}, ${first}), ${first})`,
                lastEvent: sql`max(coalesce(${logStreams.lastEvent}, ${last}), ${last})`,
                lastIngestion: ingestion,
              }),
        })
        .where(eq(logStreams.id, stream.id))
        .returning({ uploads: logStreams.uploads })
        .get();
      return updated!.uploads;
    });
  }

  /**
   * Up to `limit` events of the streams (or the whole group) within the
   * range, beyond `from` in the direction given: forward returns them
   * oldest first; backward returns the newest before `from`, newest first.
   */
  read(q: { group: Group; streams?: number[]; range: TimeRange; direction: Direction; from?: Position; limit: number }): StoredEvent[] {
    const where: SQL[] = [];
    // One stream reads through the stream index; several through the group index.
    if (q.streams && q.streams.length === 1) where.push(eq(logEvents.streamId, q.streams[0]));
    else {
      where.push(eq(logEvents.groupId, q.group.id));
      if (q.streams) where.push(inArray(logEvents.streamId, q.streams));
    }
    if (q.range.from !== undefined) where.push(gte(logEvents.timestamp, q.range.from));
    if (q.range.until !== undefined) where.push(lt(logEvents.timestamp, q.range.until));
    if (q.from) {
      where.push(
        q.direction === "f"
          ? sql`(${logEvents.timestamp}, ${logEvents.id}) > (${q.from.timestamp}, ${q.from.id})`
          : sql`(${logEvents.timestamp}, ${logEvents.id}) < (${q.from.timestamp}, ${q.from.id})`,
      );
    }
    const order = q.direction === "f" ? asc : desc;
    return this.db
      .select()
      .from(logEvents)
      .where(and(...where))
      .orderBy(order(logEvents.timestamp), order(logEvents.id))
      .limit(q.limit)
      .all();
  }

  /** Whether any event lies in the range beyond `from` in the direction given. */
  hasMore(q: { group: Group; streams?: number[]; range: TimeRange; direction: Direction; from: Position }): boolean {
    return this.read({ ...q, limit: 1 }).length > 0;
  }
}
