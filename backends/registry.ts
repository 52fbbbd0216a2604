import type { Backend, BackendFactory } from "./backend.js";
import { createDockerBackend } from "./docker/backend.js";
import { createEcsBackend } from "./ecs/backend.js";
import { createLambdaBackend } from "./lambda/backend.js";
import { createSandboxBackend } from "./sandbox/backend.js";

const factories: Record<string, BackendFactory> = {
  sandbox: createSandboxBackend,
  docker: createDockerBackend,
  ecs: createEcsBackend,
  lambda: createLambdaBackend,
};

export const DEFAULT_BACKEND = "sandbox";

export function backendNames(): string[] {
  return Object.keys(factories);
}

export function createBackend(name: string, options: Record<string, string>, dataDir: string): Backend {
  const factory = factories[name];
  if (!factory) {
    throw new Error(`unknown backend "${name}"; available: ${backendNames().join(", ")}`);
  }
  return factory(options, dataDir);
}
