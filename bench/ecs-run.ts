import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { asBackendOpt, ecsBackendOptions } from "../conformance/aws/ecs-backend-options.js";
import { startSimulator } from "../conformance/aws/harness.js";
import { buildBusyboxImage, BUSYBOX_IMAGE } from "../conformance/images/busybox.js";
import { median, percentile, sleep, timed } from "./measure.js";

/**
 * `docker run --rm IMG echo hi` through the docker CLI on the ecs backend
 * (tasks on the AWS simulator, output from its CloudWatch Logs) beside the
 * sandbox backend, each on a daemon of its own. Real Fargate adds 30-60 s
 * of provisioning per task; this measures what Sockerless itself adds.
 * Usage: ecs-run.js [--runs N] [--poll-ms MS]
 */
const { values } = parseArgs({ options: { runs: { type: "string", default: "11" }, "poll-ms": { type: "string", default: "50" } }, strict: true });
const runs = Number(values.runs);
const dir = mkdtempSync(join(tmpdir(), "sockerless-bench-ecs-"));
const children: ChildProcess[] = [];

async function serve(name: string, backendArgs: string[]): Promise<string> {
  const data = join(dir, name);
  const sock = join(data, "docker.sock");
  const child = spawn(process.execPath, [join(import.meta.dirname, "../cli/main.js"), "serve", "--data", data, "-H", `unix://${sock}`, "--log-level", "warn", ...backendArgs], { stdio: "ignore" });
  children.push(child);
  for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(100);
  if (!existsSync(sock)) throw new Error(`sockerless on ${name} did not start`);
  const loaded = await timed("docker", ["load", "-q", "-i", join(dir, "busybox.tar")], { DOCKER_HOST: `unix://${sock}` });
  if (loaded.code !== 0) throw new Error(`docker load failed on ${name}`);
  return sock;
}

async function runTimes(sock: string): Promise<number[]> {
  const env = { DOCKER_HOST: `unix://${sock}` };
  const times: number[] = [];
  // The first run pushes the image to ECR on the ecs backend: it is left out.
  for (let i = 0; i <= runs; i++) {
    const r = await timed("docker", ["run", "--rm", BUSYBOX_IMAGE, "echo", "hi"], env);
    if (r.code !== 0 || r.stdout !== "hi\n") throw new Error(`docker run failed: exit ${r.code}, output ${JSON.stringify(r.stdout)}`);
    if (i > 0) times.push(r.seconds);
  }
  return times;
}

const sim = await startSimulator();
try {
  await buildBusyboxImage(join(dir, "busybox.tar"));
  // The backend takes its credentials from the standard provider chain, as this setup does.
  process.env.AWS_ACCESS_KEY_ID = sim.config.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = sim.config.credentials.secretAccessKey;
  const options = asBackendOpt(await ecsBackendOptions(sim.endpoint, sim.config.region, Number(values["poll-ms"])));
  const sandbox = await runTimes(await serve("sandbox", []));
  const ecs = await runTimes(await serve("ecs", ["--backend", "ecs", "--backend-opt", options]));
  const line = (name: string, xs: number[]) => `${name.padEnd(30)} median ${median(xs).toFixed(3)} s   p90 ${percentile(xs, 90).toFixed(3)} s`;
  process.stdout.write(`docker run --rm ${BUSYBOX_IMAGE} echo hi, ${runs} runs each:\n`);
  process.stdout.write(`${line("sandbox backend", sandbox)}\n${line(`ecs backend (pollMs ${values["poll-ms"]})`, ecs)}\n`);
} finally {
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
