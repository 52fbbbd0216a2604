import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { median, printTable, rss, timed, type Row } from "./measure.js";

/**
 * Sandbox backend figures, side by side with the reference engine in the same run:
 * `docker run --rm IMG echo hi` wall time, and the daemon's RSS growth for idle containers.
 * Usage: sandbox.js --reference SOCK --subject SOCK --subject-pid PID [--runs N] [--idle N] [--json FILE]
 */
const { values } = parseArgs({
  options: {
    reference: { type: "string" },
    subject: { type: "string" },
    "subject-pid": { type: "string" },
    runs: { type: "string", default: "15" },
    idle: { type: "string", default: "200" },
    json: { type: "string" },
  },
});
const IMG = "sockerless-test/busybox";
const runs = Number(values.runs);
const host = (sock: string) => ({ DOCKER_HOST: `unix://${sock}` });

async function runLatency(sock: string): Promise<number> {
  await timed("docker", ["run", "--rm", IMG, "echo", "hi"], host(sock));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await timed("docker", ["run", "--rm", IMG, "echo", "hi"], host(sock));
    if (r.code !== 0 || r.stdout !== "hi\n") throw new Error(`docker run failed on ${sock}: exit ${r.code}, output ${JSON.stringify(r.stdout)}`);
    times.push(r.seconds);
  }
  return median(times);
}

async function idleGrowth(sock: string, pid: number, count: number): Promise<number> {
  const before = rss(pid);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await timed("docker", ["run", "-d", IMG, "sleep", "infinity"], host(sock));
    if (r.code !== 0) throw new Error("docker run -d failed");
    ids.push(r.stdout.trim());
  }
  const after = rss(pid);
  for (let i = 0; i < ids.length; i += 50) await timed("docker", ["rm", "-f", ...ids.slice(i, i + 50)], host(sock));
  return after - before;
}

const rows: Row[] = [];
const sub = await runLatency(values.subject!);
const ref = await runLatency(values.reference!);
rows.push({ figure: `docker run --rm echo hi (median of ${runs})`, sockerless: sub, reference: ref, unit: "s", ratio: sub / ref });
if (values["subject-pid"]) {
  const idle = Number(values.idle);
  const growth = await idleGrowth(values.subject!, Number(values["subject-pid"]), idle);
  rows.push({ figure: `daemon RSS growth for ${idle} idle sleep containers`, sockerless: growth, reference: null, unit: "MB", ratio: null });
}
printTable(rows);
if (values.json) writeFileSync(values.json, JSON.stringify({ time: new Date().toISOString(), rows }, null, 2));
