import type Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { openSqlite } from "../../engine/state/db.js";

/**
 * Opens the simulator's database: a file under --data (created if needed;
 * any failure to open or write it is fatal) or an in-memory one.
 */
export const openSimState = (path: string): Database.Database => openSqlite(path);

/** Brings one service's tables up to date from its own migrations, recorded in a table of its own. */
export function migrateService(sqlite: Database.Database, service: string, migrationsFolder: string): void {
  migrate(drizzle(sqlite), { migrationsFolder, migrationsTable: `__migrations_${service}` });
}
