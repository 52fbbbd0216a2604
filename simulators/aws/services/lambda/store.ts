import { asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type Database from "better-sqlite3";
import { functions } from "./schema.js";

export type LambdaFunction = typeof functions.$inferSelect;

/** The functions table, by name. */
export class FunctionStore {
  private readonly db;

  constructor(sqlite: Database.Database) {
    this.db = drizzle(sqlite);
  }

  find(name: string): LambdaFunction | undefined {
    return this.db.select().from(functions).where(eq(functions.name, name)).get();
  }

  insert(fn: LambdaFunction): void {
    this.db.insert(functions).values(fn).run();
  }

  /** Applies a change and returns the row as it now is. */
  update(name: string, change: Partial<LambdaFunction>): LambdaFunction {
    this.db.update(functions).set(change).where(eq(functions.name, name)).run();
    return this.find(name)!;
  }

  delete(name: string): void {
    this.db.delete(functions).where(eq(functions.name, name)).run();
  }

  /** Every function, oldest first. */
  list(): LambdaFunction[] {
    return this.db.select().from(functions).orderBy(asc(functions.created), asc(functions.name)).all();
  }
}
