import { parseArgs } from "node:util";
import { requestOverSocket } from "../../frontend/testing.js";
import type { Case, Step, TarEntry } from "./case.js";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { bodyOf, differences, linesOf, normalise, pathStatOf, sorted, tarNames, type Answer } from "./compare.js";
import { suites } from "./cases/index.js";
import { backendSupport } from "../backend-support.js";

/**
 * Runs each case against the reference engine and against sockerless and
 * compares the answers. Usage: run.js --reference SOCK --subject SOCK [SUITE...]
 */
const { values, positionals } = parseArgs({
  options: { reference: { type: "string" }, subject: { type: "string" }, verbose: { type: "boolean", short: "v" } },
  allowPositionals: true,
});
if (!values.reference || !values.subject) {
  process.stderr.write("usage: run.js --reference SOCKET --subject SOCKET [SUITE...]\n");
  process.exit(2);
}

const unixSeconds = (ms: number) => (ms / 1000).toFixed(3);

/** Fills in a path's time placeholders (see Step); `now` is rounded up, so it follows everything done within its millisecond. */
function timed(path: string, startMs: number): string {
  return path.replace("{start}", unixSeconds(startMs)).replace(/\{now(?:\+(\d+(?:\.\d+)?))?\}/g, (_m, plus?: string) => unixSeconds(Date.now() + 1 + Number(plus ?? 0) * 1000));
}

async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const type = e.type ?? "file";
    if (type === "file") pack.entry({ name: e.name, type }, e.data ?? "");
    else pack.entry({ name: e.name, type, linkname: e.linkname });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function send(socket: string, step: Step, startMs = Date.now()): Promise<Answer> {
  const headers = { ...step.headers };
  let body: string | Buffer | undefined;
  if (step.tar) {
    const archive = await tarOf(step.tar);
    body = step.gzip ? gzipSync(archive) : archive;
    headers["Content-Type"] = "application/x-tar";
  } else if (step.body !== undefined) {
    body = typeof step.body === "string" ? step.body : JSON.stringify(step.body);
    if (typeof step.body !== "string" && !headers["Content-Type"]) headers["Content-Type"] = "application/json";
  }
  const r = await requestOverSocket(socket, step.method, timed(step.path, startMs), body, headers);
  return { status: r.status, headers: r.headers, text: r.body, raw: r.raw };
}

async function bounds(socket: string) {
  const v = JSON.parse((await send(socket, { method: "GET", path: "/version" })).text);
  return { min: v.MinAPIVersion as string, max: v.ApiVersion as string };
}

const engines = { reference: values.reference, subject: values.subject };
const limits = { reference: await bounds(engines.reference), subject: await bounds(engines.subject) };
const backend = backendSupport(JSON.parse((await send(engines.subject, { method: "GET", path: "/version" })).text));

async function runCase(c: Case): Promise<string[]> {
  const answers: Record<"reference" | "subject", Answer> = {} as never;
  for (const side of ["reference", "subject"] as const) {
    const startMs = Date.now();
    for (const step of c.setup ?? []) await send(engines[side], step, startMs);
    answers[side] = await send(engines[side], c.request, startMs);
    for (const step of c.cleanup ?? []) await send(engines[side], step);
  }
  const { reference: ref, subject: sub } = answers;
  const problems: string[] = [];
  for (const h of c.headers ?? []) {
    if (ref.headers[h.toLowerCase()] === undefined) problems.push(`header ${h}: missing in reference (case is wrong)`);
    if (sub.headers[h.toLowerCase()] === undefined) problems.push(`header ${h}: missing in subject`);
  }
  for (const h of c.headerValues ?? []) {
    const [rv, sv] = [ref.headers[h.toLowerCase()], sub.headers[h.toLowerCase()]];
    if (rv !== sv) problems.push(`header ${h}: reference ${JSON.stringify(rv)}, subject ${JSON.stringify(sv)}`);
  }
  if (c.pathStat) problems.push(...differences(pathStatOf(ref), pathStatOf(sub), "exact", [], "path stat"));
  if (c.tarNames) {
    if (ref.status !== sub.status) problems.push(`status: reference ${ref.status}, subject ${sub.status}`);
    problems.push(...differences(await tarNames(ref.raw!), await tarNames(sub.raw!), "exact", [], "tar entries"));
    return problems;
  }
  const body = (a: Answer) => (c.lines ? linesOf(a, c.lines) : c.unordered ? sorted(bodyOf(a)) : bodyOf(a));
  const subBody = normalise(body(sub), limits.subject);
  if (c.subject) {
    if (sub.status !== c.subject.status) problems.push(`status: expected ${c.subject.status} (${c.subject.why}), subject ${sub.status}`);
    if (c.subject.body !== undefined) problems.push(...differences(normalise(c.subject.body, limits.subject), subBody, "exact", c.ignore ?? []));
    return problems;
  }
  if (ref.status !== sub.status) problems.push(`status: reference ${ref.status}, subject ${sub.status}`);
  if (c.compare !== "status") problems.push(...differences(normalise(body(ref), limits.reference), subBody, c.compare, c.ignore ?? []));
  return problems;
}

const chosen = positionals.length ? positionals : Object.keys(suites);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const name of chosen) {
  const suite = suites[name];
  if (!suite) {
    process.stderr.write(`unknown suite ${name}; available: ${Object.keys(suites).join(", ")}\n`);
    process.exit(2);
  }
  for (const c of suite) {
    const lacking = backend.lacking(c.needs);
    if (lacking.length) {
      skipped++;
      process.stdout.write(`SKIP ${name}: ${c.name} (needs ${lacking.join(", ")}, which backend ${backend.name} declares unsupported)\n`);
      continue;
    }
    let problems: string[];
    try {
      problems = await runCase(c);
    } catch (err) {
      problems = [`error: ${(err as Error).message}`];
    }
    if (problems.length === 0) {
      passed++;
      if (values.verbose) process.stdout.write(`ok   ${name}: ${c.name}\n`);
    } else {
      failed++;
      process.stdout.write(`FAIL ${name}: ${c.name}\n${problems.map((p) => `       ${p}`).join("\n")}\n`);
    }
  }
}
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed === 0 ? 0 : 1);
