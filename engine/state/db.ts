import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { join } from "node:path";
import { packageRoot } from "../package-info.js";
import * as schema from "./schema.js";

export type Db = BetterSQLite3Database<typeof schema>;

export interface State {
  sqlite: Database.Database;
  db: Db;
  close(): void;
}

const migrationsFolder = join(packageRoot, "engine", "state", "migrations");

/** Room the database keeps for itself in its file and its write-ahead log. */
const RESERVE_BYTES = 4 * 1024 * 1024;

/**
 * Grows the write-ahead log and the database's free pages by RESERVE_BYTES,
 * so that state changes still commit when containers or images have filled
 * the disk: SQLite overwrites a reset log from its start and reuses free
 * pages, asking the file system for no new blocks. Without it a container's
 * exit, or the removal that would free space, fails with SQLITE_FULL.
 */
function reserveRoom(sqlite: Database.Database): void {
  try {
    sqlite.transaction(() => {
      sqlite.exec("CREATE TABLE space_reserve (b BLOB)");
      sqlite.prepare("INSERT INTO space_reserve VALUES (zeroblob(?))").run(RESERVE_BYTES);
    })();
  } catch (err) {
    // Started on a full disk: served without the reserve, so that clients can still remove what fills it.
    if ((err as { code?: string }).code !== "SQLITE_FULL") throw err;
    process.emitWarning(`the disk is full: the database has no room reserved (${(err as Error).message})`);
    return;
  }
  sqlite.exec("DROP TABLE space_reserve");
}

/** A SQLite database (a file, or ":memory:") set up as Sockerless's databases are: WAL, foreign keys, a busy timeout. */
export function openSqlite(path: string): Database.Database {
  const sqlite = new Database(path);
  if (path !== ":memory:") {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
  }
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  return sqlite;
}

/**
 * Opens the daemon's database (a file path, or ":memory:" for tests) and
 * brings its schema up to date. WAL mode lets readers run beside the writer;
 * synchronous=NORMAL under WAL is still crash-safe for committed transactions.
 */
export function openState(path: string): State {
  const sqlite = openSqlite(path);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  if (path !== ":memory:") reserveRoom(sqlite);
  return {
    sqlite,
    db,
    close() {
      if (!sqlite.open) return;
      if (path !== ":memory:") sqlite.pragma("wal_checkpoint(TRUNCATE)");
      sqlite.close();
    },
  };
}
