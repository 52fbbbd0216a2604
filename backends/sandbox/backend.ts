import type { Backend, BackendFactory } from "../backend.js";

/** The embedded in-process sandbox backend. */
export const createSandboxBackend: BackendFactory = () => {
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
    close: async () => {},
  };
  return backend;
};
