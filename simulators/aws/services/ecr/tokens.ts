import { randomBytes } from "node:crypto";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { eq, lt } from "drizzle-orm";
import type Database from "better-sqlite3";
import { tokens } from "./schema.js";

/** How long a registry password from GetAuthorizationToken is good for, as ECR's. */
export const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** The user name every ECR registry password goes with. */
export const REGISTRY_USER = "AWS";

export type Credentials = "valid" | "missing" | "invalid" | "expired";

/** Registry passwords: issued by GetAuthorizationToken, checked on every registry request, kept across restarts. */
export class RegistryTokens {
  private readonly db;

  constructor(sqlite: Database.Database) {
    this.db = drizzle(sqlite);
  }

  issue(now = Date.now()): { password: string; expiresAtMs: number } {
    this.db.delete(tokens).where(lt(tokens.expiresAtMs, now - TOKEN_LIFETIME_MS)).run();
    const password = randomBytes(96).toString("base64");
    const expiresAtMs = now + TOKEN_LIFETIME_MS;
    this.db.insert(tokens).values({ password, expiresAtMs }).run();
    return { password, expiresAtMs };
  }

  /** Checks an Authorization header: Basic credentials of user AWS and a password still valid. */
  check(authorization: string | undefined, now = Date.now()): Credentials {
    const m = /^basic\s+(\S+)$/i.exec(authorization ?? "");
    if (!m) return "missing";
    const decoded = Buffer.from(m[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0 || decoded.slice(0, colon) !== REGISTRY_USER) return "invalid";
    return this.checkPassword(decoded.slice(colon + 1), now);
  }

  /** Checks a password alone (one carried in a layer download URL). */
  checkPassword(password: string, now = Date.now()): Credentials {
    const row = this.db.select().from(tokens).where(eq(tokens.password, password)).get();
    if (!row) return "invalid";
    return row.expiresAtMs > now ? "valid" : "expired";
  }
}
