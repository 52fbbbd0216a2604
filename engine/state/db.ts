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

/**
 * Opens the daemon's database (a file path, or ":memory:" for tests) and
 * brings its schema up to date. WAL mode lets readers run beside the writer;
 * synchronous=NORMAL under WAL is still crash-safe for committed transactions.
 */
export function openState(path: string): State {
  const sqlite = new Database(path);
  if (path !== ":memory:") {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
  }
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
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
