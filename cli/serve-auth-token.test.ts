import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { serve, serveUsage } from "./serve.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("serve --auth-token-file", () => {
  it("is documented in the usage", () => {
    expect(serveUsage).toMatch(/--auth-token-file FILE\n +require "Authorization: Bearer <token>" on TCP listeners/);
  });

  it("refuses to start, before creating anything, with an empty token file or one group or others can read", async () => {
    const dir = mkdtempSync(join(os.tmpdir(), "sockerless-serve-token-"));
    dirs.push(dir);
    const file = join(dir, "token");
    const data = join(dir, "data");
    const args = ["--data", data, "-H", "tcp://127.0.0.1:1", "--log-level", "silent", "--auth-token-file", file];
    writeFileSync(file, "\n");
    chmodSync(file, 0o600);
    await expect(serve(args)).rejects.toThrow(`refusing --auth-token-file ${file}: it is empty; put the token in it`);
    writeFileSync(file, "a-token\n");
    chmodSync(file, 0o644);
    await expect(serve(args)).rejects.toThrow(`refusing --auth-token-file ${file}: its mode 0644 lets group or others read or change the token; run chmod 600 ${file}`);
    expect(existsSync(data)).toBe(false);
  });
});
