import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { DockerApi, pool } from "./api.js";
import { clock, median, percentile, row, sleep, table, timed, withTarget, type Row } from "./measure.js";
import { referenceRss, sockerlessRss, type EngineRss } from "./procs.js";

/**
 * Every benchmark, on sockerless and on the reference engine in the same run.
 * Usage: main.js --subject SOCK --subject-pid PID --reference SOCK --reference-pid PID --reference-exec DIR
 *                --registry HOST:PORT [--json FILE] [--history FILE] [--quick]
 * Figures are reported, never judged: a missed target is printed, not failed.
 * Exits 1 only when a benchmark could not run (an error, not a number).
 */
const { values } = parseArgs({
  options: {
    subject: { type: "string" },
    "subject-pid": { type: "string" },
    reference: { type: "string" },
    "reference-pid": { type: "string" },
    "reference-exec": { type: "string" },
    json: { type: "string" },
    history: { type: "string" },
    registry: { type: "string" },
    quick: { type: "boolean", default: false },
  },
});

const quick = values.quick;
/** The sizes of each benchmark; --quick shrinks them to check the harness itself. */
const N = {
  runLatency: quick ? 3 : 11,
  lifecycle: quick ? 50 : 500,
  lifecycleChunks: 5,
  listContainers: quick ? 100 : 1000,
  listRequests: quick ? 10 : 30,
  loadSeconds: quick ? 2 : 8,
  loadConnections: 50,
  logLines: quick ? 10 : 100, // lines of 1 MiB
  logRuns: quick ? 1 : 3,
  idle: quick ? 20 : 200,
  pullMiB: quick ? 10 : 100,
  pullRuns: quick ? 1 : 3,
};
const IMG = "sockerless-test/busybox";

interface Engine {
  name: "sockerless" | "reference";
  sock: string;
  api: DockerApi;
  rss(): EngineRss;
}

const engines: Engine[] = [
  { name: "sockerless", sock: values.subject!, api: new DockerApi(values.subject!), rss: () => sockerlessRss(Number(values["subject-pid"])) },
  {
    name: "reference",
    sock: values.reference!,
    api: new DockerApi(values.reference!),
    rss: () => referenceRss(Number(values["reference-pid"]), values["reference-exec"]!),
  },
];
const [sub, ref] = engines;
const cli = (e: Engine) => ({ DOCKER_HOST: `unix://${e.sock}` });
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const rows: Row[] = [];
const details: Record<string, unknown> = {};
const errors: string[] = [];

/** Runs one benchmark on both engines; an error is reported and the rest go on. Leftover containers are swept after each. */
async function bench(n: number, title: string, fn: () => Promise<void>): Promise<void> {
  log(`${n}. ${title}`);
  const [seconds] = await clock(async () => {
    try {
      await fn();
    } catch (e) {
      const msg = `${n}. ${title}: ${(e as Error).stack ?? e}`;
      errors.push(msg);
      log(`FAILED ${msg}`);
      rows.push(row(n, `${title} (did not run: ${(e as Error).message.slice(0, 80)})`, "s", null, null));
    } finally {
      for (const e of engines) {
        const left = await e.api.sweep().catch(() => 0);
        if (left) log(`removed ${left} leftover containers on ${e.name}`);
      }
    }
  });
  log(`${n}. done in ${seconds.toFixed(1)} s`);
}

async function ping(e: Engine): Promise<void> {
  await e.api.expect("GET", "/_ping", [200]);
}

// 6. Idle daemon RSS: first, before anything else has run.
async function idleRss(): Promise<void> {
  for (const e of engines) await ping(e);
  await sleep(1000);
  const s = sub.rss();
  const r = ref.rss();
  rows.push(row(6, "idle daemon RSS (images loaded, after a ping)", "MB", s.engine, r.engine, { note: `reference: ${r.processes} processes (dockerd, containerd)` }));
  details.idleRss = { sockerless: s, reference: r };
  // A fresh sockerless daemon with an empty data directory, for scale.
  const dir = mkdtempSync(join(tmpdir(), "sockerless-bench-fresh-"));
  const sock = join(dir, "docker.sock");
  const child = spawn(process.execPath, [join(import.meta.dirname, "../cli/main.js"), "serve", "--data", dir, "-H", `unix://${sock}`, "--log-level", "warn"], { stdio: "ignore" });
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(100);
    const api = new DockerApi(sock);
    await api.expect("GET", "/_ping", [200]);
    api.close();
    await sleep(1000);
    const fresh = sockerlessRss(child.pid!).engine;
    rows.push(row(6, "idle daemon RSS, fresh sockerless (no images)", "MB", fresh, null));
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

// 1. `docker run --rm IMG echo hi` through the docker CLI.
async function runLatency(): Promise<void> {
  const result: Record<string, number[]> = {};
  for (const e of engines) {
    await timed("docker", ["run", "--rm", "--network", "none", IMG, "echo", "hi"], cli(e));
    const times: number[] = [];
    for (let i = 0; i < N.runLatency; i++) {
      const r = await timed("docker", ["run", "--rm", "--network", "none", IMG, "echo", "hi"], cli(e));
      if (r.code !== 0 || r.stdout !== "hi\n") throw new Error(`docker run failed on ${e.name}: exit ${r.code}, output ${JSON.stringify(r.stdout)}`);
      times.push(r.seconds);
    }
    result[e.name] = times;
  }
  rows.push(row(1, `docker run --rm echo hi, median of ${N.runLatency}`, "s", median(result.sockerless), median(result.reference)));
  details.runLatency = result;
}

// 2. API create → start → wait → remove, sequential.
async function lifecycle(): Promise<void> {
  const result: Record<string, { total: number; chunks: number[]; p50ms: number; p99ms: number }> = {};
  for (const e of engines) {
    const per = N.lifecycle / N.lifecycleChunks;
    const chunks: number[] = [];
    const each: number[] = [];
    let total = 0;
    for (let c = 0; c < N.lifecycleChunks; c++) {
      const [seconds] = await clock(async () => {
        for (let i = 0; i < per; i++) {
          const [s] = await clock(async () => {
            const id = await e.api.create(["true"]);
            await e.api.start(id);
            const code = await e.api.wait(id);
            if (code !== 0) throw new Error(`container exited ${code} on ${e.name}`);
            await e.api.remove(id);
          });
          each.push(s * 1000);
        }
      });
      chunks.push(per / seconds);
      total += seconds;
    }
    result[e.name] = { total: N.lifecycle / total, chunks, p50ms: percentile(each, 50), p99ms: percentile(each, 99) };
  }
  const [s, r] = [result.sockerless, result.reference];
  rows.push(
    withTarget(row(2, `API create/start/wait/remove x${N.lifecycle}, median of ${N.lifecycleChunks} chunks`, "containers/s", median(s.chunks), median(r.chunks)), 5, ">= 5x"),
    row(2, "  per container, p50", "ms", s.p50ms, r.p50ms),
    row(2, "  per container, p99", "ms", s.p99ms, r.p99ms),
  );
  details.lifecycle = result;
}

// 3. GET /containers/json?all=1 with many created (not started) containers.
async function listLatency(): Promise<void> {
  const result: Record<string, { ms: number[]; createSeconds: number; count: number }> = {};
  for (const e of engines) {
    const [createSeconds] = await clock(() => pool(Array.from({ length: N.listContainers }), 4, () => e.api.create(["true"])));
    for (let i = 0; i < 3; i++) await e.api.expect("GET", "/containers/json?all=1", [200]);
    const ms: number[] = [];
    let count = 0;
    for (let i = 0; i < N.listRequests; i++) {
      const [s, list] = await clock(() => e.api.expect<unknown[]>("GET", "/containers/json?all=1", [200]));
      ms.push(s * 1000);
      count = list.length;
    }
    if (count < N.listContainers) throw new Error(`${e.name} listed ${count} containers, expected ${N.listContainers}`);
    result[e.name] = { ms, createSeconds, count };
    await e.api.sweep();
  }
  const [s, r] = [result.sockerless, result.reference];
  rows.push(
    withTarget(row(3, `GET /containers/json?all=1, ${N.listContainers} containers, median of ${N.listRequests}`, "ms", median(s.ms), median(r.ms)), 1, "<= 1x"),
    row(3, `  create ${N.listContainers} (4 in flight), for scale`, "s", s.createSeconds, r.createSeconds),
  );
  details.list = result;
}

// 4. /_ping and /containers/json under concurrent clients (autocannon over the unix socket).
async function underLoad(): Promise<void> {
  const result: Record<string, Record<string, unknown>> = { sockerless: {}, reference: {} };
  for (const path of ["/_ping", "/containers/json"]) {
    const figures: Record<string, { p50: number; p99: number; rps: number }> = {};
    for (const e of engines) {
      const r = await autocannon({ url: `http://docker${path}`, socketPath: e.sock, connections: N.loadConnections, duration: N.loadSeconds });
      if (r.errors || r.non2xx) log(`${e.name} ${path}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`);
      figures[e.name] = { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average };
      result[e.name][path] = { latency: r.latency, requests: r.requests, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx };
    }
    const [s, r] = [figures.sockerless, figures.reference];
    rows.push(
      row(4, `${path} p50, ${N.loadConnections} clients, ${N.loadSeconds} s`, "ms", s.p50, r.p50),
      row(4, `${path} p99`, "ms", s.p99, r.p99),
      row(4, `${path} throughput`, "req/s", s.rps, r.rps),
    );
  }
  details.load = result;
}

// 5. `docker logs` of a container that wrote ~100 MB to stdout.
// The writer uses only what both busybox and the sandbox's shell have: a 1 MiB
// string built by doubling, echoed N times by a while loop (`yes` does not work in the sandbox).
async function logsThroughput(): Promise<void> {
  const script =
    "s=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef; " +
    "for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do s=\"$s$s\"; done; " +
    `i=0; while [ $i -lt ${N.logLines} ]; do echo "$s"; i=$((i+1)); done`;
  const expected = N.logLines * (64 * 2 ** 14 + 1);
  const result: Record<string, { writeSeconds: number; seconds: number[]; bytes: number }> = {};
  for (const e of engines) {
    const id = await e.api.create(["sh", "-c", script]);
    try {
      const [writeSeconds, code] = await clock(async () => (await e.api.start(id), e.api.wait(id)));
      if (code !== 0) throw new Error(`log writer exited ${code} on ${e.name}`);
      const check = await timed("docker", ["logs", id], cli(e), { countOnly: true });
      if (check.code !== 0 || check.bytes !== expected) throw new Error(`docker logs on ${e.name}: exit ${check.code}, ${check.bytes} bytes, expected ${expected}`);
      const seconds: number[] = [];
      for (let i = 0; i < N.logRuns; i++) seconds.push((await timed("docker", ["logs", id], cli(e), { devNull: true })).seconds);
      result[e.name] = { writeSeconds, seconds, bytes: check.bytes };
    } finally {
      await e.api.remove(id, true);
    }
  }
  const [s, r] = [result.sockerless, result.reference];
  const mb = expected / 1e6;
  rows.push(
    row(5, `docker logs > /dev/null, ${mb.toFixed(0)} MB, median of ${N.logRuns}`, "MB/s", mb / median(s.seconds), mb / median(r.seconds)),
    row(5, `  writer container start->exit, for scale`, "s", s.writeSeconds, r.writeSeconds),
  );
  details.logs = result;
}

// 7. RSS per idle container: N `sleep infinity` containers started and left running.
async function idlePerContainer(): Promise<void> {
  const result: Record<string, { before: EngineRss; after: EngineRss }> = {};
  for (const e of engines) {
    await sleep(1000);
    const before = e.rss();
    const ids: string[] = [];
    try {
      await pool(Array.from({ length: N.idle }), 4, async () => {
        const id = await e.api.create(["sleep", "infinity"]);
        ids.push(id);
        await e.api.start(id);
      });
      await sleep(2000);
      result[e.name] = { before, after: e.rss() };
    } finally {
      await pool(ids, 8, (id) => e.api.remove(id, true));
    }
  }
  const per = (x: { before: EngineRss; after: EngineRss }) => (x.after.engine - x.before.engine) / N.idle;
  const [s, r] = [result.sockerless, result.reference];
  rows.push(
    row(7, `RSS per idle container (${N.idle} x sleep infinity)`, "MB", per(s), per(r), { note: "reference: dockerd + containerd + shims" }),
    row(7, "  reference incl. the containers' own processes", "MB", null, (r.after.engine + r.after.containers - r.before.engine - r.before.containers) / N.idle),
  );
  details.idle = result;
}

// 8. `docker pull` of an image of incompressible data from the local registry, pushed there by the reference engine.
async function pullThroughput(): Promise<void> {
  const registry = values.registry;
  if (!registry) throw new Error("--registry HOST:PORT is needed");
  const image = `${registry}/bench/big:v1`;
  const dir = mkdtempSync(join(tmpdir(), "bench-pull-"));
  try {
    const made = await timed("sh", ["-c", `head -c ${N.pullMiB}M /dev/urandom > "${dir}/data" && tar -C "${dir}" -cf "${dir}/rootfs.tar" data && rm "${dir}/data"`]);
    if (made.code !== 0) throw new Error("could not write the image's content");
    for (const [args, what] of [
      [["import", `${dir}/rootfs.tar`, image], "import"],
      [["push", "-q", image], "push"],
    ] as const) {
      const r = await timed("docker", [...args], cli(ref));
      if (r.code !== 0) throw new Error(`docker ${what} failed on the reference engine (exit ${r.code})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result: Record<string, number[]> = {};
  for (const e of engines) {
    const times: number[] = [];
    for (let i = 0; i < N.pullRuns; i++) {
      await e.api.expect("DELETE", `/images/${image}?force=1`, [200, 404]);
      const r = await timed("docker", ["pull", "-q", image], cli(e));
      if (r.code !== 0 || r.stdout.trim() !== image) throw new Error(`docker pull failed on ${e.name}: exit ${r.code}, output ${JSON.stringify(r.stdout)}`);
      times.push(r.seconds);
    }
    await e.api.expect("DELETE", `/images/${image}?force=1`, [200]);
    result[e.name] = times;
  }
  rows.push(withTarget(row(8, `docker pull, ${N.pullMiB} MiB image from the local registry, median of ${N.pullRuns}`, "s", median(result.sockerless), median(result.reference)), 1, "<= 1x"));
  details.pull = result;
}

const [total] = await clock(async () => {
  for (const e of engines) await e.api.sweep();
  await bench(6, "idle daemon RSS", idleRss);
  await bench(1, "docker run latency", runLatency);
  await bench(2, "API container lifecycle throughput", lifecycle);
  await bench(3, "container list latency", listLatency);
  await bench(4, "API under concurrent load", underLoad);
  await bench(5, "docker logs throughput", logsThroughput);
  await bench(7, "RSS per idle container", idlePerContainer);
  await bench(8, "registry pull", pullThroughput);
});
for (const e of engines) e.api.close();

rows.sort((a, b) => a.bench - b.bench);
process.stdout.write("\n" + table(rows));
process.stdout.write(
  [
    "",
    "ratio = sockerless / reference; ↑ higher is better, ↓ lower is better.",
    "RSS: sockerless is its one process (VmRSS); the reference is dockerd + containerd + containerd-shim-runc-v2 processes.",
    `Ran ${quick ? "--quick " : ""}in ${total.toFixed(0)} s on ${engines.map((e) => `${e.name} ${e.sock}`).join(", ")}.`,
    `Commands: docker run --rm --network none ${IMG} echo hi; docker logs ID > /dev/null; autocannon -c ${N.loadConnections} -d ${N.loadSeconds} -S SOCK http://docker/_ping.`,
    "",
  ].join("\n"),
);
const time = new Date().toISOString();
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ time, quick, sizes: N, seconds: total, rows, details, errors }, null, 2) + "\n");
  process.stdout.write(`JSON: ${values.json}\n`);
}
if (values.history) {
  const brief = Object.fromEntries(rows.map((r) => [r.figure.trim(), [r.sockerless, r.reference]]));
  appendFileSync(values.history, JSON.stringify({ time, quick, file: values.json, rows: brief }) + "\n");
}
if (errors.length) {
  process.stderr.write(`\n${errors.length} benchmark(s) could not run:\n${errors.join("\n")}\n`);
  process.exitCode = 1;
}
