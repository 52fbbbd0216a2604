import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { backendSupport } from "../backend-support.js";
import type { CliScenario, CliStep } from "./scenario.js";
import { sandboxScenarios } from "./scenarios.js";

/**
 * Runs docker CLI scenarios against the reference engine and sockerless and
 * compares what the CLI printed and its exit codes.
 * Usage: run.js --reference SOCK --subject SOCK [-v]
 */
const { values } = parseArgs({ options: { reference: { type: "string" }, subject: { type: "string" }, verbose: { type: "boolean", short: "v" } } });
if (!values.reference || !values.subject) {
  process.stderr.write("usage: run.js --reference SOCKET --subject SOCKET\n");
  process.exit(2);
}

interface Outcome {
  stdout: string;
  stderr: string;
  exit: number;
}

function docker(socket: string, step: CliStep): Promise<Outcome> {
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CLI_HINTS: "false" };
  const [cmd, args] = step.tty
    ? ["script", ["-qec", ["docker", ...step.args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" "), "/dev/null"]]
    : step.shell
      ? ["sh", ["-c", step.shell]]
      : ["docker", step.args];
  const stepDir = step.shell ? mkdtempSync(join(tmpdir(), "cli-step-")) : undefined;
  if (stepDir) Object.assign(env, { STEP_DIR: stepDir });
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      if (stepDir) rmSync(stepDir, { recursive: true, force: true });
      clearTimeout(timer);
      resolve({ stdout, stderr, exit: code ?? -1 });
    });
    if (step.stdin !== undefined) child.stdin.end(step.stdin);
    else if (step.tty) child.stdin.end();
    else child.stdin.end();
  });
}

/** The reference engine runs with forwarding off by design (DESIGN.md) and warns about it on every run. */
const referenceNoise = /^WARNING: IPv4 forwarding is disabled\. Networking will not work\.\r?\n/m;

/** On the docker backend the reference's engine runs every image, so even sandbox-only expectations are compared with the reference. */
const ownExpectations = process.env.CONFORMANCE_BACKEND !== "docker";
const expectation = (step: CliStep) => (ownExpectations ? step.expect : undefined);

function check(step: CliStep, ref: Outcome | undefined, sub: Outcome): string[] {
  if (ref) {
    ref = { ...ref, stdout: ref.stdout.replace(referenceNoise, ""), stderr: ref.stderr.replace(referenceNoise, "") };
  }
  const problems: string[] = [];
  const expect = expectation(step);
  if (expect) {
    if (sub.exit !== expect.exit) problems.push(`exit: expected ${expect.exit}, got ${sub.exit} (stderr ${JSON.stringify(sub.stderr)})`);
    const out = expect.stdout;
    if (out !== undefined && !(typeof out === "string" ? sub.stdout === out : out.test(sub.stdout))) problems.push(`stdout: expected ${out}, got ${JSON.stringify(sub.stdout)}`);
    if (expect.stderr && !expect.stderr.test(sub.stderr)) problems.push(`stderr: expected ${expect.stderr}, got ${JSON.stringify(sub.stderr)}`);
    return problems;
  }
  for (const what of step.compare ?? ["stdout", "exit"]) {
    if (ref![what] !== sub[what]) problems.push(`${what}: reference ${JSON.stringify(ref![what])}, sockerless ${JSON.stringify(sub[what])}`);
  }
  return problems;
}

async function runScenario(s: CliScenario): Promise<string[]> {
  const problems: string[] = [];
  try {
    for (const [i, step] of s.steps.entries()) {
      const ref = expectation(step) ? undefined : await docker(values.reference!, step);
      const sub = await docker(values.subject!, step);
      problems.push(...check(step, ref, sub).map((p) => `step ${i + 1} (docker ${step.args.join(" ")}): ${p}`));
    }
  } finally {
    for (const args of s.cleanup ?? []) {
      for (const sock of [values.reference!, values.subject!]) await docker(sock, { args });
    }
  }
  return problems;
}

const backend = backendSupport(JSON.parse((await docker(values.subject, { args: ["version", "--format", "{{json .Server}}"] })).stdout));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const s of sandboxScenarios) {
  const lacking = backend.lacking(s.needs);
  if (lacking.length) {
    skipped++;
    process.stdout.write(`SKIP cli: ${s.name} (needs ${lacking.join(", ")}, which backend ${backend.name} declares unsupported)\n`);
    continue;
  }
  const problems = await runScenario(s);
  if (problems.length === 0) {
    passed++;
    if (values.verbose) process.stdout.write(`ok   cli: ${s.name}\n`);
  } else {
    failed++;
    process.stdout.write(`FAIL cli: ${s.name}\n${problems.map((p) => `       ${p}`).join("\n")}\n`);
  }
}
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed === 0 ? 0 : 1);
