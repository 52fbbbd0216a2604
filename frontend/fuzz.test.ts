import fc from "fast-check";
import { readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BUSYBOX_IMAGE } from "../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "./testing.js";

/**
 * Requests generated from the Docker Engine API v1.51 spec, valid and
 * mutated: the daemon must answer each in time with a well-formed answer and
 * never crash.
 */
/** FUZZ_RUNS shortens a run while working on the fuzzer. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/** Fetched by `make test` (conformance/specs/fetch.sh). */
const SPEC = join(import.meta.dirname, "..", ".cache", "specs", "docker-engine-v1.51.yaml");

interface Schema {
  type?: string;
  $ref?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
}
interface Parameter extends Schema {
  name: string;
  in: "path" | "query" | "body" | "header";
  schema?: Schema;
}
interface Operation {
  path: string;
  method: string;
  parameters: Parameter[];
}
interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

const spec = parse(readFileSync(SPEC, "utf8")) as { paths: Record<string, Record<string, { parameters?: Parameter[] }>>; definitions: Record<string, Schema> };
const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods)
    .filter(([m]) => ["get", "post", "put", "delete", "head"].includes(m))
    .map(([method, op]) => ({ path, method: method.toUpperCase(), parameters: op.parameters ?? [] })),
);

let d: TestDaemon;
let names: string[] = [];

/** Values shaped by a schema; objects get a random subset of their properties, depth-limited. */
function valueOf(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.constant(null);
  if (schema.$ref) return valueOf(spec.definitions[schema.$ref.replace("#/definitions/", "")], depth + 1);
  if (schema.allOf) return fc.tuple(...schema.allOf.map((s) => valueOf(s, depth + 1))).map((parts) => Object.assign({}, ...parts.filter((p) => p && typeof p === "object")));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case "string":
      return fc.oneof(fc.constantFrom(...names, BUSYBOX_IMAGE, "", "sh", "/tmp", "1.5", "x:y"), fc.string({ maxLength: 20 }));
    case "integer":
    case "number":
      return fc.oneof(fc.integer({ min: -2, max: 3 }), fc.integer(), fc.constantFrom(2 ** 53, -(2 ** 53)));
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(valueOf(schema.items, depth + 1), { maxLength: 3 });
    default: {
      const props = Object.entries(schema.properties ?? {});
      if (props.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 });
      return fc.record(Object.fromEntries(props.map(([k, v]) => [k, valueOf(v, depth + 1)])), { requiredKeys: [] });
    }
  }
}

/** Sometimes a value of the wrong kind altogether. */
const mutated = (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

function requestOf(op: Operation): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const query = op.parameters.filter((p) => p.in === "query");
  const body = op.parameters.find((p) => p.in === "body");
  const pathArb = fc.tuple(
    ...pathParams.map(() =>
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom(BUSYBOX_IMAGE, "nope") }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) }),
    ),
  );
  const queryArb = fc.record(Object.fromEntries(query.map((p) => [p.name, mutated(valueOf(p.schema ?? p))])), { requiredKeys: [] });
  const tarBody = body && !body.schema?.$ref && !body.schema?.allOf && !body.schema?.properties && body.schema?.type !== "object";
  const bodyArb: fc.Arbitrary<string | undefined> = !body
    ? fc.constant(undefined)
    : tarBody
      ? fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b).toString("latin1"))
      : mutated(valueOf(body.schema)).map((v) => JSON.stringify(v));
  return fc.tuple(pathArb, queryArb, bodyArb, fc.constantFrom("", "/v1.51", "/v1.41", "/v1.24")).map(([values, q, b, version]) => {
    let path = op.path;
    pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, encodeURIComponent(values[i]))));
    const search = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])).toString();
    return { method: op.method, path: version + path + (search ? `?${search}` : ""), body: b, contentType: b === undefined ? undefined : tarBody ? "application/x-tar" : "application/json" };
  });
}

/** Headers within 5 s; a body that has not ended 250 ms later is a stream, which only a 2xx may be. */
function send(r: FuzzRequest): Promise<{ status: number; type: string; body: string; streaming: boolean }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: "localhost" };
    if (r.contentType) headers["Content-Type"] = r.contentType;
    const req = http.request({ socketPath: d.socket, method: r.method, path: r.path, headers }, (res) => {
      clearTimeout(headerTimer);
      let body = "";
      const streamTimer = setTimeout(() => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body, streaming: true });
      }, 250);
      res.on("data", (c: Buffer) => (body += c.toString("latin1")));
      res.on("end", () => {
        clearTimeout(streamTimer);
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body, streaming: false });
      });
      res.on("error", () => {});
    });
    const headerTimer = setTimeout(() => reject(new Error(`no answer within 5 s: ${r.method} ${r.path}`)), 5000);
    req.on("error", (err) => {
      clearTimeout(headerTimer);
      reject(err);
    });
    req.end(r.body === undefined ? undefined : Buffer.from(r.body, "latin1"));
  });
}

beforeAll(async () => {
  d = await startTestDaemon();
  await loadBusybox(d);
  for (const [name, cmd] of [["fuzz-idle", ["sleep", "infinity"]], ["fuzz-done", ["true"]]] as const) {
    await d.request("POST", `/containers/create?name=${name}`, JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: cmd, OpenStdin: true }), { "Content-Type": "application/json" });
    await d.request("POST", `/containers/${name}/start`);
  }
  names = ["fuzz-idle", "fuzz-done"];
}, 60_000);
afterAll(() => d.close());

describe("requests generated from the API spec", () => {
  it(`answers ${RUNS} of them in time, with well-formed answers, and stays up`, async () => {
    const arb = fc.constantFrom(...operations).chain(requestOf);
    const statuses = new Map<number, number>();
    let unrouted = 0;
    await fc.assert(
      fc.asyncProperty(arb, async (r) => {
        const a = await send(r);
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status === 404 && a.body.includes('"page not found"')) unrouted++;
        expect(a.status, `${r.method} ${r.path}`).toBeGreaterThanOrEqual(100);
        expect(a.status, `${r.method} ${r.path}`).toBeLessThan(600);
        if (a.streaming) expect(a.status, `${r.method} ${r.path} streams`).toBeLessThan(300);
        if (a.status >= 400 && r.method !== "HEAD") {
          expect(a.type, `${r.method} ${r.path} -> ${a.body}`).toMatch(/^application\/json/);
          const parsed = JSON.parse(a.body);
          expect(Object.keys(parsed), `${r.method} ${r.path} -> ${a.body}`).toEqual(["message"]);
          expect(typeof parsed.message).toBe("string");
        }
      }),
      { numRuns: RUNS, seed: 20261127, endOnFailure: true },
    );
    expect((await d.request("GET", "/_ping")).body).toBe("OK");
    // The generator must reach handlers: most requests name routes that exist, and many succeed.
    const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    const summary = JSON.stringify({ ...Object.fromEntries(statuses), unrouted });
    expect(unrouted / RUNS, summary).toBeLessThan(0.35);
    expect(ok / RUNS, summary).toBeGreaterThan(0.05);
  }, 600_000);
});
