import { describe, expect, it } from "vitest";
import type { Backend, BackendCapabilities } from "../../backends/backend.js";
import { unsupportedFeatures } from "./capabilities.js";

const all: BackendCapabilities = { run: true, exec: true, attach: true, archive: true, archiveNotRunning: true, pause: true, publishPorts: true, networking: true, mounts: true, signals: true, stderr: true, resources: [] };

/** A backend with these capabilities and optional parts; nothing else of it is called. */
const backend = (capabilities: Partial<BackendCapabilities>, parts: Partial<Backend> = {}) =>
  ({ describe: () => ({ name: "test", summary: "", version: "1", capabilities: { ...all, ...capabilities } }), ...parts }) as unknown as Backend;

describe("unsupportedFeatures", () => {
  it("lists the capabilities declared false and the optional parts a backend lacks (top, stats, sizes), sorted", () => {
    expect(unsupportedFeatures(backend({ stderr: false, archive: false }))).toEqual(["archive", "size", "stats", "stderr", "top"]);
  });

  it("lists nothing for a backend that can do everything", () => {
    const parts = { processes: () => [], usage: async () => undefined, writableLayerSize: async () => 0 } as unknown as Partial<Backend>;
    expect(unsupportedFeatures(backend({}, parts))).toEqual([]);
  });
});
