import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { NotImplementedError } from "../../engine/errors.js";
import type { Backend, BackendFactory } from "../backend.js";

/**
 * The embedded in-process sandbox backend. Containers get their own
 * directory for copy-on-write changes over the shared image layers; running
 * processes in it is not built yet, and start says so.
 */
export const createSandboxBackend: BackendFactory = (_options, dataDir) => {
  const containerDir = (id: string) => join(dataDir, "sandbox", "containers", id);
  const backend: Backend = {
    describe: () => ({
      name: "sandbox",
      summary: "in-process WASI sandbox (no root, no external engine)",
      version: "0.1.0",
      capabilities: {
        run: false,
        exec: false,
        attach: false,
        archive: false,
        pause: false,
        publishPorts: false,
        networking: false,
      },
    }),
    async createContainer(spec) {
      mkdirSync(containerDir(spec.id), { recursive: true });
    },
    async startProcess() {
      throw new NotImplementedError("the sandbox backend cannot run processes yet: its shell and process runner are not built");
    },
    async removeContainer(id) {
      rmSync(containerDir(id), { recursive: true, force: true });
    },
    close: async () => {},
  };
  return backend;
};
