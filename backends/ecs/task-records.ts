import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What survives a daemon restart of a container's task: which task, and how far its output was read. */
export interface TaskRecord {
  taskArn: string;
  /** GetLogEvents' forward token after the last event delivered. */
  logToken?: string;
}

/** One small JSON file per container in the backend's data directory, replaced whole on each write. */
export class TaskRecords {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "ecs-tasks");
    mkdirSync(this.dir, { recursive: true });
  }

  get(containerId: string): TaskRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.file(containerId), "utf8")) as TaskRecord;
    } catch {
      return undefined;
    }
  }

  put(containerId: string, record: TaskRecord): void {
    const file = this.file(containerId);
    writeFileSync(`${file}.new`, JSON.stringify(record));
    renameSync(`${file}.new`, file);
  }

  delete(containerId: string): void {
    rmSync(this.file(containerId), { force: true });
  }

  /** Deletes the records of containers engine/ does not know. */
  keepOnly(knownIds: Set<string>): void {
    for (const name of readdirSync(this.dir)) {
      if (!knownIds.has(name.replace(/\.json(\.new)?$/, ""))) rmSync(join(this.dir, name), { force: true });
    }
  }

  private file(containerId: string): string {
    if (!/^[0-9a-f]{64}$/.test(containerId)) throw new Error(`not a container ID: ${containerId}`);
    return join(this.dir, `${containerId}.json`);
  }
}
