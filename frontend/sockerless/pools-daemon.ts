import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import pino from "pino";
import { PoolsBackend } from "../../backends/pools/backend.js";
import { parsePoolsConfig } from "../../backends/pools/config.js";
import { Engine } from "../../engine/engine.js";
import { openState } from "../../engine/state/db.js";
import { startApiServer } from "../server.js";
import { requestOverSocket, type TestDaemon } from "../testing.js";

/** An in-process daemon serving pools (as `serve --pools`), for tests. */
export async function startPoolsDaemon(config: unknown): Promise<TestDaemon & { pools: PoolsBackend }> {
  const dataDir = mkdtempSync(join(os.tmpdir(), "sockerless-pools-"));
  const socket = join(dataDir, "docker.sock");
  const pools = new PoolsBackend(parsePoolsConfig(config, "test config"), dataDir);
  const state = openState(":memory:");
  const engine = new Engine(state, pools, { dataDir });
  const server = await startApiServer(engine, pino({ level: "silent" }), [{ kind: "unix", path: socket }]);
  return {
    socket,
    dataDir,
    engine,
    pools,
    request: (method, path, body, headers) => requestOverSocket(socket, method, path, body, headers),
    async close() {
      await server.close(1000);
      await pools.close();
      state.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
