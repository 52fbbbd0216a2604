/**
 * Testcontainers for Node (npm `testcontainers`, unmodified) runs real servers
 * on whatever Docker API engine DOCKER_HOST names: Redis and PostgreSQL from
 * the project's offline images, reached through their published ports with
 * the ordinary `redis` and `pg` clients, then stopped and checked gone.
 * With the reaper enabled (TESTCONTAINERS_RYUK_DISABLED unset), a child
 * process that exits without stopping its container proves Ryuk removes it.
 * Usage: DOCKER_HOST=... node dist/conformance/testcontainers/scenario.js
 *
 * Prints `PASS name` or `FAIL name: reason` per case, then
 * `testcontainers: N passed, M failed`, and exits non-zero on a failure.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import Docker from "dockerode";
import pg from "pg";
import { createClient } from "redis";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";

const REDIS_IMAGE = process.env.REDIS_IMAGE ?? "sockerless-test/redis:7";
const POSTGRES_IMAGE = process.env.POSTGRES_IMAGE ?? "sockerless-test/postgres:15";
const ryukEnabled = process.env.TESTCONTAINERS_RYUK_DISABLED !== "true";
/** The Testcontainers label every container of a session carries. */
const SESSION_LABEL = "org.testcontainers.session-id";

// dockerode, independent of Testcontainers, checks what the engine really holds.
const docker = new Docker();

function expect(actual: unknown, wanted: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const w = JSON.stringify(wanted);
  if (a !== w) throw new Error(`${what}: wanted ${w}, got ${a}`);
}

async function exists(id: string): Promise<boolean> {
  try {
    await docker.getContainer(id).inspect();
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw e;
  }
}

async function waitGone(id: string, seconds: number, what: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (await exists(id)) {
    if (Date.now() > deadline) throw new Error(`${what} ${id.slice(0, 12)} still exists after ${seconds} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The published host port must be what the engine reports in NetworkSettings.Ports. */
async function expectPublished(container: StartedTestContainer, port: number): Promise<void> {
  const info = await docker.getContainer(container.getId()).inspect();
  const bindings = info.NetworkSettings.Ports?.[`${port}/tcp`] ?? [];
  const hostPorts = bindings.map((b) => Number(b.HostPort));
  if (!hostPorts.includes(container.getMappedPort(port))) {
    throw new Error(`inspect reports ${JSON.stringify(bindings)} for ${port}/tcp, Testcontainers mapped ${container.getMappedPort(port)}`);
  }
}

const startRedis = () =>
  new GenericContainer(REDIS_IMAGE)
    .withExposedPorts(6379)
    // Copied into the created container before it starts.
    .withCopyContentToContainer([{ content: "copied before start\n", target: "/data/hello.txt" }])
    .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
    .withStartupTimeout(60_000)
    .start();

async function redisCase(): Promise<void> {
  const container = await startRedis();
  const id = container.getId();
  try {
    await expectPublished(container, 6379);
    // One attempt with a deadline: a port that does not answer fails the case instead of retrying forever.
    const client = createClient({ url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`, socket: { connectTimeout: 10_000, reconnectStrategy: false } });
    client.on("error", () => {});
    await client.connect();
    try {
      expect(await client.set("sockerless", "testcontainers"), "OK", "SET");
      expect(await client.get("sockerless"), "testcontainers", "GET");
    } finally {
      await client.quit();
    }
    const ping = await container.exec(["redis-cli", "ping"]);
    expect([ping.exitCode, ping.stdout.trim()], [0, "PONG"], "exec redis-cli ping");
    const copied = await container.exec(["cat", "/data/hello.txt"]);
    expect(copied.stdout, "copied before start\n", "file copied before start");
  } finally {
    await container.stop();
  }
  await waitGone(id, 10, "stopped redis container");
}

async function postgresCase(): Promise<void> {
  const container = await new GenericContainer(POSTGRES_IMAGE)
    .withEnvironment({ POSTGRES_USER: "postgres", POSTGRES_PASSWORD: "postgres", POSTGRES_DB: "scenario" })
    .withExposedPorts(5432)
    .withCopyContentToContainer([{ content: "CREATE TABLE greeting (text text); INSERT INTO greeting VALUES ('hello from init');\n", target: "/docker-entrypoint-initdb.d/init.sql" }])
    // As Testcontainers' own postgres module waits: the temporary init server's message, then the real one's.
    .withWaitStrategy(Wait.forAll([Wait.forLogMessage(/database system is ready to accept connections/, 2), Wait.forListeningPorts()]))
    .withStartupTimeout(120_000)
    .start();
  const id = container.getId();
  try {
    await expectPublished(container, 5432);
    const client = new pg.Client({
      host: container.getHost(),
      port: container.getMappedPort(5432),
      user: "postgres",
      password: "postgres",
      database: "scenario",
      connectionTimeoutMillis: 10_000,
    });
    await client.connect();
    try {
      expect((await client.query("select 1 as one")).rows, [{ one: 1 }], "select 1");
      expect((await client.query("select current_database() as db, current_user as who")).rows, [{ db: "scenario", who: "postgres" }], "database and user");
      expect((await client.query("select text from greeting")).rows, [{ text: "hello from init" }], "init script's table");
    } finally {
      await client.end();
    }
    const wrong = new pg.Client({ host: container.getHost(), port: container.getMappedPort(5432), user: "postgres", password: "wrong", database: "scenario", connectionTimeoutMillis: 10_000 });
    const refused = await wrong.connect().then(
      () => false,
      () => true,
    );
    if (!refused) {
      await wrong.end();
      throw new Error("a wrong password was accepted");
    }
  } finally {
    await container.stop();
  }
  await waitGone(id, 10, "stopped postgres container");
}

/** Child mode: start a container, print its ID and session, and exit without stopping it. */
async function leaveRunning(): Promise<void> {
  const container = await startRedis();
  const info = await docker.getContainer(container.getId()).inspect();
  process.stdout.write(JSON.stringify({ id: container.getId(), session: info.Config.Labels[SESSION_LABEL] }) + "\n");
  process.exit(0);
}

async function ryukCase(): Promise<void> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--leave-running"], {
    env: { ...process.env, TESTCONTAINERS_RYUK_RECONNECTION_TIMEOUT: "2s" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code, 0, "child's exit code");
  const { id, session } = JSON.parse(out.trim().split("\n").pop() ?? "{}") as { id: string; session: string };
  if (!id || !session) throw new Error(`child printed no container: ${out}`);
  await waitGone(id, 60, "the reaper left container");
  // Testcontainers creates the reaper with AutoRemove: having pruned, it exits and the engine removes it.
  const reapers = await docker.listContainers({ all: true, filters: { label: [`${SESSION_LABEL}=${session}`, "org.testcontainers.ryuk=true"] } });
  for (const reaper of reapers) await waitGone(reaper.Id, 30, "the reaper");
}

async function main(): Promise<void> {
  if (process.argv.includes("--leave-running")) return leaveRunning();
  const cases: [string, () => Promise<void>][] = [];
  // First, before this process starts a reaper of its own that the child would share.
  if (ryukEnabled) cases.push(["ryuk removes a session's containers when its client goes away", ryukCase]);
  cases.push(["redis: log wait, mapped port, SET/GET, exec, copy before start, stop removes", redisCase]);
  cases.push(["postgres: env init, init script, log and port wait, select 1, password checked, stop removes", postgresCase]);
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of cases) {
    try {
      await fn();
      passed++;
      process.stdout.write(`PASS ${name}\n`);
    } catch (e) {
      failed++;
      process.stdout.write(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  if (!ryukEnabled) process.stdout.write("(reaper disabled: TESTCONTAINERS_RYUK_DISABLED=true)\n");
  process.stdout.write(`testcontainers: ${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
