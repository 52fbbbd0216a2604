import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{cli,frontend,engine,backends,sandbox,simulators}/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
