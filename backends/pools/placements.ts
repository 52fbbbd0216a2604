import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Which pool each container belongs to, kept in a small JSON file so calls
 * that carry only an ID (remove, size) find the pool after a daemon restart.
 * The instance within the pool is kept in memory only: instances of one pool
 * share their backend and options, and after a restart every instance is new.
 */
export class Placements {
  private readonly pools = new Map<string, string>();
  private readonly instances = new Map<string, number>();

  constructor(private readonly file: string) {
    if (!existsSync(file)) return;
    let saved: Record<string, string>;
    try {
      saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    } catch (err) {
      throw new Error(`cannot read the pools' container map ${file}: ${(err as Error).message}`);
    }
    for (const [id, pool] of Object.entries(saved)) this.pools.set(id, pool);
  }

  pool(id: string): string | undefined {
    return this.pools.get(id);
  }

  instance(id: string): number | undefined {
    return this.instances.get(id);
  }

  place(id: string, pool: string, instance: number): void {
    const known = this.pools.get(id) === pool;
    this.pools.set(id, pool);
    this.instances.set(id, instance);
    if (!known) this.save();
  }

  forget(id: string): void {
    this.instances.delete(id);
    if (this.pools.delete(id)) this.save();
  }

  /** Drops every container not in `known`. */
  keepOnly(known: Set<string>): void {
    let changed = false;
    for (const id of [...this.pools.keys()]) {
      if (known.has(id)) continue;
      this.pools.delete(id);
      this.instances.delete(id);
      changed = true;
    }
    if (changed) this.save();
  }

  /** Containers of `pool`. */
  count(pool: string): number {
    let n = 0;
    for (const p of this.pools.values()) if (p === pool) n++;
    return n;
  }

  /** Written to a temporary file and renamed, so a crash leaves the old or the new map, never half of one. */
  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.pools)));
    renameSync(tmp, this.file);
  }
}
