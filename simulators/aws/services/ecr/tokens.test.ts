import { describe, expect, it } from "vitest";
import { openSimState, migrateService } from "../../state.js";
import { join } from "node:path";
import { packageRoot } from "../../../../engine/package-info.js";
import { RegistryTokens, TOKEN_LIFETIME_MS } from "./tokens.js";

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("registry passwords", () => {
  const sqlite = openSimState(":memory:");
  migrateService(sqlite, "ecr", join(packageRoot, "simulators", "aws", "services", "ecr", "migrations"));
  const tokens = new RegistryTokens(sqlite);

  it("are good for user AWS for twelve hours", () => {
    const now = Date.now();
    const { password, expiresAtMs } = tokens.issue(now);
    expect(expiresAtMs - now).toBe(TOKEN_LIFETIME_MS);
    expect(tokens.check(basic("AWS", password), now)).toBe("valid");
    expect(tokens.check(basic("AWS", password), now + TOKEN_LIFETIME_MS - 1)).toBe("valid");
    expect(tokens.check(basic("AWS", password), now + TOKEN_LIFETIME_MS)).toBe("expired");
    expect(tokens.check(basic("admin", password), now)).toBe("invalid");
    expect(tokens.check(basic("AWS", "guess"), now)).toBe("invalid");
    expect(tokens.check(undefined, now)).toBe("missing");
    expect(tokens.check("Bearer abc", now)).toBe("missing");
  });
});
