import type { WorkloadExit } from "../../workloads.js";
import type { ContainerDefinition } from "./types.js";

export interface ContainerDependency {
  containerName: string;
  condition: "START" | "COMPLETE" | "SUCCESS" | "HEALTHY";
}

function settable<T>(): { promise: Promise<T>; settle: (value: T) => void } {
  let settle!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (settle = resolve));
  return { promise, settle };
}

/**
 * A task's container start order as dependsOn sets it: each container's start
 * and exit, known to the containers that wait on them. Every container settles
 * both, started or not, so no waiter is left hanging.
 */
export class ContainerOrder {
  private readonly starts = new Map<string, ReturnType<typeof settable<boolean>>>();
  private readonly exits = new Map<string, ReturnType<typeof settable<WorkloadExit | undefined>>>();

  constructor(defs: ContainerDefinition[]) {
    for (const d of defs) {
      this.starts.set(d.name, settable());
      this.exits.set(d.name, settable());
    }
  }

  started(name: string, yes: boolean): void {
    this.starts.get(name)!.settle(yes);
    if (!yes) this.exits.get(name)!.settle(undefined);
  }

  exited(name: string, exit: WorkloadExit): void {
    this.exits.get(name)!.settle(exit);
  }

  /** Waits for the container's dependencies; the reason one cannot be met, or undefined once all are. */
  async unmet(def: ContainerDefinition): Promise<string | undefined> {
    for (const dep of (def.dependsOn as ContainerDependency[] | undefined) ?? []) {
      const name = dep.containerName;
      if (dep.condition === "HEALTHY") return `the dependency ${name} must be HEALTHY, and container health checks are not simulated`;
      if (!(await this.starts.get(name)!.promise)) return `the dependency ${name} did not start`;
      if (dep.condition === "START") continue;
      const exit = await this.exits.get(name)!.promise;
      if (dep.condition === "SUCCESS" && exit?.exitCode !== 0) return `the dependency ${name} exited with ${exit?.exitCode}, not 0 as its SUCCESS condition needs`;
    }
    return undefined;
  }
}

/** Why a definition's dependsOn cannot be followed: an unknown container or condition, or a cycle. */
export function dependencyProblem(defs: ContainerDefinition[]): string | undefined {
  const byName = new Map(defs.map((d) => [d.name, d]));
  for (const d of defs) {
    for (const dep of (d.dependsOn as ContainerDependency[] | undefined) ?? []) {
      if (!byName.has(dep.containerName)) return `Container ${d.name} depends on ${dep.containerName}, which is not a container of the task definition.`;
      if (!["START", "COMPLETE", "SUCCESS", "HEALTHY"].includes(dep.condition)) return `Invalid dependency condition ${dep.condition} for container ${d.name}.`;
    }
  }
  const state = new Map<string, "visiting" | "done">();
  const cyclic = (name: string): boolean => {
    if (state.get(name) === "done") return false;
    if (state.get(name) === "visiting") return true;
    state.set(name, "visiting");
    const found = ((byName.get(name)!.dependsOn as ContainerDependency[] | undefined) ?? []).some((dep) => cyclic(dep.containerName));
    state.set(name, "done");
    return found;
  };
  return defs.some((d) => cyclic(d.name)) ? "The container dependencies of the task definition form a cycle." : undefined;
}
