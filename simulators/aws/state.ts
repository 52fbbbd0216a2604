import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";

/**
 * Opens the simulator's database: a file under --data (created if needed;
 * any failure to open or write it is fatal) or an in-memory one.
 */
export function openSimState(path: string): Database.Database {
  const sqlite = new Database(path);
  if (path !== ":memory:") {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
  }
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  return sqlite;
}

/** Brings one service's tables up to date from its own migrations, recorded in a table of its own. */
export function migrateService(sqlite: Database.Database, service: string, migrationsFolder: string): void {
  migrate(drizzle(sqlite), { migrationsFolder, migrationsTable: `__migrations_${service}` });
}
