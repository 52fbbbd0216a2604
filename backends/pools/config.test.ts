import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPoolsFile, parsePoolsConfig } from "./config.js";

const dir = mkdtempSync(join(os.tmpdir(), "sockerless-pools-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const parse = (value: unknown) => () => parsePoolsConfig(value, "pools.yaml");

describe("the pools file", () => {
  it("reads YAML with defaults for what a pool leaves out", () => {
    const path = file(
      "ok.yaml",
      `default: local
pools:
  - name: local
    backend: sandbox
    options: {}
    instances: 1
    maxRunning: 2
    queueSize: 1
    maxContainers: 100
    maxMemory: 0
  - name: grants
    backend: sandbox
    options:
      allow-url: http://127.0.0.1:9001/
`,
    );
    expect(loadPoolsFile(path)).toEqual({
      default: "local",
      pools: [
        { name: "local", backend: "sandbox", options: {}, instances: 1, maxRunning: 2, queueSize: 1, maxContainers: 100, maxMemory: 0 },
        { name: "grants", backend: "sandbox", options: { "allow-url": "http://127.0.0.1:9001/" }, instances: 1, maxRunning: 0, queueSize: 0, maxContainers: 0, maxMemory: 0 },
      ],
    });
  });

  it("reads JSON too", () => {
    const path = file("ok.json", JSON.stringify({ default: "a", pools: [{ name: "a", backend: "sandbox" }] }));
    expect(loadPoolsFile(path).pools[0].name).toBe("a");
  });

  it("refuses mistakes, saying where they are", () => {
    const pool = { name: "a", backend: "sandbox" };
    expect(parse({ default: "a", pools: [pool], extra: 1 })).toThrow('pools.yaml: unknown key "extra"; known: default, pools');
    expect(parse({ default: "a", pools: [{ ...pool, maxRuning: 2 }] })).toThrow('pools.yaml: pools[0] (pool "a"): unknown key "maxRuning"');
    expect(parse({ default: "a", pools: [{ name: "a", backend: "nope" }] })).toThrow(/pools\[0\] \(pool "a"\): unknown backend "nope"; available: sandbox/);
    expect(parse({ default: "a", pools: [pool, pool] })).toThrow('pools.yaml: duplicate pool name "a"');
    expect(parse({ pools: [pool] })).toThrow(/"default" must name the pool/);
    expect(parse({ default: "b", pools: [pool] })).toThrow('pools.yaml: default pool "b" is not among the pools (a)');
    expect(parse({ default: "a", pools: [] })).toThrow(/"pools" must be a non-empty list/);
    expect(parse({ default: "a", pools: [{ ...pool, maxRunning: -1 }] })).toThrow(/"maxRunning" must be a whole number of at least 0, got -1/);
    expect(parse({ default: "a", pools: [{ ...pool, instances: 0 }] })).toThrow(/"instances" must be a whole number of at least 1/);
    expect(parse({ default: "a b", pools: [{ ...pool, name: "a b" }] })).toThrow(/"name" must be 1 to 63 letters/);
  });

  it("names the file when it cannot be read or parsed", () => {
    expect(() => loadPoolsFile(join(dir, "missing.yaml"))).toThrow(/cannot read pools file .*missing\.yaml/);
    expect(() => loadPoolsFile(file("bad.yaml", "default: a\ndefault: b\n"))).toThrow(/bad\.yaml: not valid YAML or JSON/);
  });
});
