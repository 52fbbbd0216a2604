import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ContainerSpec } from "../backend.js";
import { POOL_LABEL, PoolsBackend } from "./backend.js";
import { parsePoolsConfig } from "./config.js";

const dataDir = mkdtempSync(join(os.tmpdir(), "sockerless-pools-backend-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const config = parsePoolsConfig(
  {
    default: "a",
    pools: [
      { name: "a", backend: "sandbox" },
      { name: "b", backend: "sandbox", instances: 2 },
    ],
  },
  "test",
);

const spec = (id: string, labels: Record<string, string>): ContainerSpec => ({ id, image: "", labels, layers: [], memory: 0, init: false, files: [], mounts: [] });

describe("pools across a daemon restart", () => {
  it("keeps each container's pool, so calls with only its ID reach it", async () => {
    const first = new PoolsBackend(config, dataDir);
    await first.createContainer(spec("c1", { [POOL_LABEL]: "b" }));
    await first.createContainer(spec("c2", {}));
    expect(JSON.parse(readFileSync(join(dataDir, "pools", "containers.json"), "utf8"))).toEqual({ c1: "b", c2: "a" });
    await first.close();

    const second = new PoolsBackend(config, dataDir);
    try {
      expect(second.status("b").containers).toBe(1);
      expect(existsSync(join(dataDir, "sandbox", "containers", "c1"))).toBe(true);
      await second.removeContainer("c1");
      expect(existsSync(join(dataDir, "sandbox", "containers", "c1"))).toBe(false);
      expect(second.status("b").containers).toBe(0);
      second.forgetUnknown(new Set());
      expect(second.list().map((p) => p.containers)).toEqual([0, 0]);
      expect(JSON.parse(readFileSync(join(dataDir, "pools", "containers.json"), "utf8"))).toEqual({});
    } finally {
      await second.close();
    }
  });

  it("describes a container's pool by its labels", async () => {
    const pools = new PoolsBackend(config, dataDir);
    try {
      expect(pools.describe({ [POOL_LABEL]: "b" }).name).toBe("pool b (sandbox)");
      expect(pools.describe({}).name).toBe("pool a (sandbox)");
      expect(pools.describe().name).toBe("pools");
      expect(() => pools.describe({ [POOL_LABEL]: "c" })).toThrow('no pool named "c" (label com.sockerless.pool); pools: a, b');
    } finally {
      await pools.close();
    }
  });
});
