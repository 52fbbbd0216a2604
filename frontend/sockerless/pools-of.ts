import { PoolsBackend } from "../../backends/pools/backend.js";
import type { Engine } from "../../engine/engine.js";

/** The daemon's pools, when it serves with `--pools`. */
export function poolsOf(engine: Engine): PoolsBackend | undefined {
  return engine.backend instanceof PoolsBackend ? engine.backend : undefined;
}
