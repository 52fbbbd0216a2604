import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { requestOverSocket } from "../../frontend/testing.js";

/**
 * 100 concurrent `docker run --rm` on sockerless: each prints its own number
 * and exits with its own code; afterwards no container and no sandbox
 * directory is left behind.
 * Usage: concurrent.js --subject SOCK --data DIR
 */
const { values } = parseArgs({ options: { subject: { type: "string" }, data: { type: "string" } } });
if (!values.subject || !values.data) {
  process.stderr.write("usage: concurrent.js --subject SOCKET --data DATA_DIR\n");
  process.exit(2);
}
const socket = values.subject;
const RUNS = 100;
const IMAGE = "sockerless-test/busybox";

function run(n: number): Promise<{ n: number; stdout: string; exit: number }> {
  return new Promise((resolve) => {
    const child = spawn("docker", ["run", "--rm", "--label", "concurrent=1", IMAGE, "sh", "-c", `echo run ${n}; exit ${n % 7}`], {
      env: { ...process.env, DOCKER_HOST: `unix://${socket}` },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("close", (code) => resolve({ n, stdout, exit: code ?? -1 }));
  });
}

const containersDir = join(values.data, "sandbox", "containers");
const sandboxDirs = () => (existsSync(containersDir) ? readdirSync(containersDir) : []);
const before = new Set(sandboxDirs());
const started = performance.now();
const results = await Promise.all(Array.from({ length: RUNS }, (_, n) => run(n)));
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const wrong = results.filter((r) => r.stdout !== `run ${r.n}\n` || r.exit !== r.n % 7);
for (const r of wrong.slice(0, 5)) process.stdout.write(`  run ${r.n}: printed ${JSON.stringify(r.stdout)}, exit ${r.exit}\n`);

// --rm removes after the CLI has seen the exit; wait (bounded) for the last removals.
const filters = encodeURIComponent(JSON.stringify({ label: ["concurrent=1"] }));
let left: unknown[] = [];
for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
  left = (await requestOverSocket(socket, "GET", `/containers/json?all=1&filters=${filters}`)).json();
  if (left.length === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
const dirs = sandboxDirs().filter((d) => !before.has(d));
const problems = [wrong.length && `${wrong.length} runs printed or exited wrongly`, left.length && `${left.length} containers left`, dirs.length && `${dirs.length} sandbox directories left`].filter(Boolean);
process.stdout.write(`concurrent runs: ${RUNS} in ${seconds} s — ${problems.length ? `FAILED: ${problems.join("; ")}` : "all correct, nothing left behind"}\n`);
process.exit(problems.length ? 1 : 0);
