import { EventEmitter } from "node:events";
import { and, asc, desc, eq, gt, lte, sql } from "drizzle-orm";
import type { Db } from "../state/db.js";
import { containerLogs } from "../state/schema.js";
import { nowIso as now } from "../clock.js";

/** One stored log line (or the unterminated rest of a stream at exit). */
export interface LogEntry {
  seq: number;
  stream: 1 | 2;
  /** RFC 3339 with nanoseconds, as Docker prints it with `--timestamps`. */
  time: string;
  data: Buffer;
}

export interface LogQuery {
  stdout: boolean;
  stderr: boolean;
  /** Nanoseconds since the epoch; entries before it are left out. */
  since?: bigint;
  /** Nanoseconds since the epoch; entries after it are left out and a follow ends there. */
  until?: bigint;
  /** How many of the last entries to give; undefined gives all. */
  tail?: number;
}

/** Docker's copier splits at newlines but passes on a line this long without one. */
const MAX_LINE = 16 * 1024;
/** Lines written per turn of the event loop. */
const FLUSH_BATCH = 2048;

/**
 * A container's output as Docker's log drivers keep it: one entry per line,
 * stamped when the line is complete; an unterminated line is kept back
 * until its newline or the end of the process. Entries are written to SQLite
 * in batches, so a chatty process does not pay a transaction per line.
 */
export class LogStore {
  /** "entry:<id>" for each new entry. */
  readonly bus = new EventEmitter().setMaxListeners(0);
  private readonly partial = new Map<string, Buffer>();
  private readonly limits = new Map<string, { maxBytes: number; bytes: number }>();
  private pending: (Omit<LogEntry, "seq"> & { containerId: string })[] = [];
  private scheduled = false;
  /** Lines are being lost (the database cannot take them); warned about once until a write succeeds again. */
  private dropping = false;

  /** Prepared once: a chatty container writes many lines per turn of the event loop. */
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db
      .insert(containerLogs)
      .values({ containerId: sql.placeholder("containerId"), stream: sql.placeholder("stream"), time: sql.placeholder("time"), data: sql.placeholder("data") })
      .returning({ seq: containerLogs.seq })
      .prepare();
  }

  /** Adds a chunk of a container's output. */
  write(id: string, stream: 1 | 2, data: Buffer): void {
    const key = `${id}/${stream}`;
    let buf = this.partial.has(key) ? Buffer.concat([this.partial.get(key)!, data]) : data;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) {
        if (buf.length - start < MAX_LINE) break;
        this.add(id, stream, buf.subarray(start, start + MAX_LINE));
        start += MAX_LINE;
        continue;
      }
      this.add(id, stream, buf.subarray(start, nl + 1));
      start = nl + 1;
    }
    buf = buf.subarray(start);
    if (buf.length > 0) this.partial.set(key, Buffer.from(buf));
    else this.partial.delete(key);
  }

  /** The process ended: its unterminated lines become entries. */
  end(id: string): void {
    for (const stream of [1, 2] as const) {
      const rest = this.partial.get(`${id}/${stream}`);
      if (rest) this.add(id, stream, rest);
      this.partial.delete(`${id}/${stream}`);
    }
    this.flush();
  }

  private add(id: string, stream: 1 | 2, data: Buffer): void {
    const entry = { containerId: id, stream, time: now(), data: Buffer.from(data) };
    this.pending.push(entry);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush(FLUSH_BATCH));
  }

  /** Writes the pending entries, then announces them with their sequence numbers. */
  flush(limit = Infinity): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, limit);
    // The rest waits for the next turn, so requests are served in between.
    if (this.pending.length > 0) this.schedule();
    let written: number[];
    try {
      written = this.db.transaction(() => batch.map((e) => this.insert.get({ containerId: e.containerId, stream: e.stream, time: e.time, data: e.data })!.seq));
    } catch (err) {
      // As dockerd's log drivers on a full disk: the lines are lost, the container and the daemon go on.
      if (!this.dropping) process.emitWarning(`container output could not be stored and is dropped: ${(err as Error).message}`);
      this.dropping = true;
      return;
    }
    this.dropping = false;
    batch.forEach((e, i) => this.bus.emit(`entry:${e.containerId}`, { seq: written[i], stream: e.stream, time: e.time, data: e.data } satisfies LogEntry));
    for (const id of new Set(batch.map((e) => e.containerId))) {
      const limit = this.limits.get(id);
      if (limit) this.trim(id, limit, batch.filter((e) => e.containerId === id).reduce((n, e) => n + e.data.length, 0));
    }
  }

  /** Keeps at most `maxBytes` of a container's output (0: all), dropping the oldest lines first, as log rotation does. */
  setLimit(id: string, maxBytes: number): void {
    if (maxBytes <= 0) return void this.limits.delete(id);
    const stored = this.db.select({ n: sql<number>`coalesce(sum(length(${containerLogs.data})), 0)` }).from(containerLogs).where(eq(containerLogs.containerId, id)).get();
    this.limits.set(id, { maxBytes, bytes: stored?.n ?? 0 });
    this.trim(id, this.limits.get(id)!, 0);
  }

  private trim(id: string, limit: { maxBytes: number; bytes: number }, added: number): void {
    limit.bytes += added;
    if (limit.bytes <= limit.maxBytes) return;
    let excess = limit.bytes - limit.maxBytes;
    let upTo = 0;
    // The oldest lines, a page at a time, until enough bytes are found.
    while (excess > 0) {
      const page = this.db
        .select({ seq: containerLogs.seq, n: sql<number>`length(${containerLogs.data})` })
        .from(containerLogs)
        .where(and(eq(containerLogs.containerId, id), gt(containerLogs.seq, upTo)))
        .orderBy(asc(containerLogs.seq))
        .limit(256)
        .all();
      if (page.length === 0) break;
      for (const row of page) {
        if (excess <= 0) break;
        excess -= row.n;
        limit.bytes -= row.n;
        upTo = row.seq;
      }
    }
    this.db.delete(containerLogs).where(and(eq(containerLogs.containerId, id), lte(containerLogs.seq, upTo))).run();
  }

  /** Stored entries matching the query, oldest first. */
  read(id: string, q: LogQuery): LogEntry[] {
    this.flush();
    const wanted = (s: number) => (s === 1 ? q.stdout : q.stderr);
    const rows = q.tail === undefined ? this.db.select().from(containerLogs).where(eq(containerLogs.containerId, id)).orderBy(asc(containerLogs.seq)).all() : this.lastRows(id, q);
    return rows.map((r) => ({ seq: r.seq, stream: r.stream as 1 | 2, time: r.time, data: r.data })).filter((e) => wanted(e.stream) && inWindow(e, q));
  }

  /** The last `tail` entries of the selected streams. */
  /** The last `tail` lines of both streams: as in dockerd's json-file, the streams are chosen after the tail is taken. */
  private lastRows(id: string, q: LogQuery) {
    if (q.tail! <= 0) return [];
    return this.db.select().from(containerLogs).where(eq(containerLogs.containerId, id)).orderBy(desc(containerLogs.seq)).limit(q.tail!).all().reverse();
  }

  /** Entries stored after `afterSeq`, for attach's replay. */
  after(id: string, afterSeq = 0): LogEntry[] {
    this.flush();
    return this.db
      .select()
      .from(containerLogs)
      .where(and(eq(containerLogs.containerId, id), gt(containerLogs.seq, afterSeq)))
      .orderBy(asc(containerLogs.seq))
      .all()
      .map((r) => ({ seq: r.seq, stream: r.stream as 1 | 2, time: r.time, data: r.data }));
  }

  /** Forgets the unterminated output of a removed container (its rows go with it by cascade). */
  forget(id: string): void {
    this.limits.delete(id);
    this.partial.delete(`${id}/1`);
    this.partial.delete(`${id}/2`);
  }
}

/** Nanoseconds since the epoch of a stored RFC 3339 time with nanoseconds. */
export function timeNanos(time: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(time);
  if (!m) return 0n;
  const seconds = BigInt(Math.floor(Date.parse(`${m[1]}Z`) / 1000));
  return seconds * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0").slice(0, 9) || "0");
}

export function inWindow(e: { time: string }, q: Pick<LogQuery, "since" | "until">): boolean {
  const t = timeNanos(e.time);
  if (q.since !== undefined && q.since > 0n && t < q.since) return false;
  if (q.until !== undefined && q.until > 0n && t > q.until) return false;
  return true;
}
