import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { loadBusybox, startTestDaemon, type TestDaemon } from "../testing.js";
import { buildImage } from "../../engine/build/builder.js";
import { goJsonError } from "./go-json-error.js";

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  await loadBusybox(d);
});
afterAll(() => d.close());

type Entry = { name: string; data?: string | Buffer; type?: "file" | "directory"; mode?: number };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? "file", mode: e.mode ?? (e.type === "directory" ? 0o755 : 0o644) }, Buffer.from(e.data ?? ""));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

interface Built {
  status: number;
  messages: Record<string, unknown>[];
  /** The stream lines joined. */
  text: string;
  error?: string;
  id?: string;
}

async function build(entries: Entry[], query = "", gzip = false): Promise<Built> {
  const body = await tarOf(entries);
  const r = await d.request("POST", `/build?${query}`, gzip ? gzipSync(body) : body, { "Content-Type": "application/x-tar" });
  if (r.status !== 200) return { status: r.status, messages: [], text: "", error: r.json().message };
  const messages = r.body
    .split("\r\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const text = messages.map((m) => (m.stream as string) ?? "").join("");
  const error = messages.find((m) => m.error)?.error as string | undefined;
  const aux = messages.filter((m) => m.aux).at(-1)?.aux as { ID: string } | undefined;
  return { status: r.status, messages, text, error, id: aux?.ID };
}

/** Runs a container of the image to its end and returns its stdout. */
async function run(image: string, cmd?: string[]): Promise<string> {
  const json = { "Content-Type": "application/json" };
  const id = (await d.request("POST", "/containers/create", JSON.stringify({ Image: image, ...(cmd ? { Cmd: cmd } : {}) }), json)).json().Id;
  await d.request("POST", `/containers/${id}/start`);
  await d.request("POST", `/containers/${id}/wait`);
  const logs = await d.request("GET", `/containers/${id}/logs?stdout=1`);
  await d.request("DELETE", `/containers/${id}`);
  // Strip stdcopy frame headers.
  const out: Buffer[] = [];
  for (let at = 0; at + 8 <= logs.raw.length; at += 8 + logs.raw.readUInt32BE(at + 4)) out.push(logs.raw.subarray(at + 8, at + 8 + logs.raw.readUInt32BE(at + 4)));
  return Buffer.concat(out).toString();
}

const df = (text: string): Entry => ({ name: "Dockerfile", data: text });

describe("POST /build", () => {
  const multi = [
    df(
      [
        `ARG BASE=${BUSYBOX_IMAGE}`,
        "FROM $BASE AS first",
        "ARG V=1",
        "ENV E=e1",
        'RUN echo "building $V $E" && echo "$V" > /built.txt',
        "COPY d /dd",
        "COPY a.txt *.md /many/",
        "WORKDIR /w/x",
        `FROM ${BUSYBOX_IMAGE}`,
        "COPY --from=first /built.txt /copied.txt",
        "COPY --from=0 /dd /fromzero",
        'CMD ["sh", "-c", "cat /copied.txt /fromzero/sub/x"]',
        "",
      ].join("\n"),
    ),
    { name: "a.txt", data: "a\n" },
    { name: "b.md", data: "b\n" },
    { name: "d/sub/x", data: "x\n" },
  ];

  it("builds a multi-stage Dockerfile with build args, streams dockerd's messages and tags the result", async () => {
    const b = await build(multi, `t=multi:v1&buildargs=${encodeURIComponent(JSON.stringify({ V: "2", U: "x" }))}`);
    expect(b.error).toBeUndefined();
    expect(b.text).toContain("Step 1/12 : ARG BASE=");
    expect(b.text).toContain("Step 5/12 : RUN echo");
    expect(b.text).toContain("building 2 e1\n");
    expect(b.text).toMatch(/ ---> Running in [0-9a-f]{12}\nbuilding/);
    expect(b.text).toMatch(/Removing intermediate container [0-9a-f]{12}\n/);
    expect(b.text).toContain("[Warning] One or more build-args [U] were not consumed\n");
    expect(b.text).toContain(`Successfully built ${b.id!.slice(7, 19)}\n`);
    expect(b.text).toContain("Successfully tagged multi:v1\n");
    expect(b.messages.filter((m) => m.aux)).toHaveLength(2);
    expect(await run("multi:v1")).toBe("2\nx\n");
    const first = b.messages.filter((m) => m.aux)[0].aux as { ID: string };
    expect(await run(first.ID, ["sh", "-c", "pwd; ls /many; cat /dd/sub/x"])).toBe("/w/x\na.txt\nb.md\nx\n");
    const history = (await d.request("GET", `/images/${first.ID}/history`)).json() as { CreatedBy: string }[];
    expect(history.map((h) => h.CreatedBy).slice(0, 5)).toEqual([
      "/bin/sh -c #(nop) WORKDIR /w/x",
      expect.stringMatching(/^\/bin\/sh -c #\(nop\) COPY multi:[0-9a-f]{64} in \/many\/ $/),
      expect.stringMatching(/^\/bin\/sh -c #\(nop\) COPY dir:[0-9a-f]{64} in \/dd $/),
      '|1 V=2 /bin/sh -c echo "building $V $E" && echo "$V" > /built.txt',
      "/bin/sh -c #(nop)  ENV E=e1",
    ]);
  });

  it("reuses the cache on a second build, and not with nocache", async () => {
    const args = `buildargs=${encodeURIComponent(JSON.stringify({ V: "3" }))}`;
    const one = await build(multi, args);
    const two = await build(multi, args);
    expect(two.text.match(/Using cache/g)).toHaveLength(9);
    expect(two.text).not.toContain("Running in");
    expect(two.id).toBe(one.id);
    const three = await build(multi, `${args}&nocache=1`);
    expect(three.text).not.toContain("Using cache");
    expect(three.id).not.toBe(one.id);
    // A changed source misses from its step on.
    const changed = await build([...multi.filter((e) => e.name !== "a.txt"), { name: "a.txt", data: "changed\n" }], args);
    // The later stage's steps copy what is unchanged, so they hit again.
    expect(changed.text.match(/Using cache/g)).toHaveLength(7);
    expect(changed.text.match(/Running in/g)).toHaveLength(1);
  });

  it("builds a target stage, applies request labels as steps and a quiet build prints only the ID", async () => {
    const stages = [df(`FROM ${BUSYBOX_IMAGE} AS a\nENV X=1\nFROM a AS b\nENV Y=2\nFROM ${BUSYBOX_IMAGE}\nRUN exit 9\n`)];
    const b = await build(stages, `target=b&labels=${encodeURIComponent(JSON.stringify({ z: "1", "a b": "x y" }))}`);
    expect(b.text).toContain("Step 5/6 : LABEL a b=x y");
    expect(b.text).toContain("Step 6/6 : LABEL z=1");
    const config = (await d.request("GET", `/images/${b.id}/json`)).json().Config;
    expect(config.Labels).toEqual({ z: "1", "a b": "x y" });
    expect(config.Env).toContain("Y=2");
    const quiet = await build(stages, "target=b&q=1");
    expect(quiet.messages).toEqual([{ stream: expect.stringMatching(/^sha256:[0-9a-f]{64}\n$/) }]);
  });

  it("runs ONBUILD triggers of a base and records config-only instructions", async () => {
    const base = await build([df(`FROM ${BUSYBOX_IMAGE}\nONBUILD RUN echo triggered > /t\nENTRYPOINT ["echo"]\nCMD ["hi"]\nEXPOSE 80\nUSER nobody\n`)], "t=onbase");
    expect(base.error).toBeUndefined();
    const img = (await d.request("GET", "/images/onbase/json")).json().Config;
    expect(img).toMatchObject({ OnBuild: ["RUN echo triggered > /t"], Entrypoint: ["echo"], Cmd: ["hi"], ExposedPorts: { "80/tcp": {} }, User: "nobody" });
    const child = await build([df("FROM onbase\nUSER root\nRUN cat /t\n")]);
    expect(child.text).toContain("# Executing 1 build trigger\n");
    expect(child.text).toContain("triggered\n");
    expect((await d.request("GET", `/images/${child.id}/json`)).json().Config.OnBuild).toBeFalsy();
  });

  it("unpacks local archives with ADD, owns files by --chown, and reads a gzip context", async () => {
    const inner = await tarOf([{ name: "in/a", data: "A" }]);
    const b = await build(
      [
        df(`FROM ${BUSYBOX_IMAGE}\nADD t.tar /x/\nADD plain.gz /\nCOPY --chown=nobody:nogroup f /f\nRUN ls /x/in; ls /plain.gz\n`),
        { name: "t.tar", data: gzipSync(inner) },
        { name: "plain.gz", data: gzipSync("no tar in here") },
        { name: "f", data: "f" },
      ],
      "",
      true,
    );
    expect(b.error).toBeUndefined();
    expect(b.text).toMatch(/Running in [0-9a-f]{12}\na\n\/plain.gz\n/);
    const c = (await d.request("POST", "/containers/create", JSON.stringify({ Image: b.id }), { "Content-Type": "application/json" })).json().Id;
    const archive = await d.request("GET", `/containers/${c}/archive?path=/f`);
    const owner = await new Promise<{ uid?: number; gid?: number }>((resolve) => {
      const extract = tar.extract();
      extract.on("entry", (h, stream, next) => {
        resolve({ uid: h.uid, gid: h.gid });
        stream.resume();
        next();
      });
      extract.end(archive.raw);
    });
    expect(owner).toEqual({ uid: 65534, gid: 65534 });
  });

  it("downloads ADD URLs in the daemon, with dockerd's progress line and errors", async () => {
    const server = createServer((req, res) => {
      if (req.url === "/files/r.txt") res.end("remote\n");
      else if (req.url === "/files/") res.end("an index");
      else res.writeHead(404, "Not Found").end("missing\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const b = await build([df(`FROM ${BUSYBOX_IMAGE}\nADD ${base}/files/r.txt /dl/\nRUN cat /dl/r.txt && stat -c %a /dl/r.txt\n`)], "nocache=1");
      expect(b.messages).toContainEqual({ status: "Downloading", progressDetail: { current: 7, total: 7 }, progress: expect.stringContaining("7B/7B") });
      expect(b.text).toContain("remote\n600\n");
      const missing = await build([df(`FROM ${BUSYBOX_IMAGE}\nADD ${base}/nope /x\n`)]);
      expect(missing.error).toBe(`ADD failed: failed to GET ${base}/nope with status 404 Not Found: missing`);
      const unnamed = await build([df(`FROM ${BUSYBOX_IMAGE}\nADD ${base}/files/ /x/\n`)]);
      expect(unnamed.error).toBe(`ADD failed: cannot determine filename for source ${base}/files/`);
    } finally {
      server.close();
    }
    const refused = await build([df(`FROM ${BUSYBOX_IMAGE}\nADD http://127.0.0.1:1/x /x\n`)]);
    expect(refused.error).toBe('ADD failed: Get "http://127.0.0.1:1/x": dial tcp 127.0.0.1:1: connect: connection refused');
  });

  it("reads a context that ends without the last file's padding and the end blocks, as the CLI sends with -f outside it", async () => {
    const whole = await tarOf([df(`FROM ${BUSYBOX_IMAGE}\nCOPY f /f\n`), { name: "f", data: "abc" }]);
    const cut = whole.subarray(0, 512 * 3 + 3);
    const r = await d.request("POST", "/build?q=1", cut, { "Content-Type": "application/x-tar" });
    expect(r.body).toMatch(/^\{"stream":"sha256:[0-9a-f]{64}\\n"\}\r\n$/);
  });

  it("leaves out the Dockerfile when the .dockerignore names it, as dockerd does", async () => {
    const b = await build([df(`FROM ${BUSYBOX_IMAGE}\nCOPY . /ctx/\nRUN ls -A /ctx\n`), { name: ".dockerignore", data: "Dockerfile\n" }, { name: "kept", data: "k" }], "nocache=1");
    expect(b.text).toContain(".dockerignore\nkept\n");
  });

  it("refuses bad requests with dockerd's errors before streaming", async () => {
    expect(await build([{ name: "x" }])).toMatchObject({ status: 500, error: "Cannot locate specified Dockerfile: Dockerfile" });
    expect(await build([df("FROM x\nFOO y\n")])).toMatchObject({ status: 400, error: "dockerfile parse error line 2: unknown instruction: FOO" });
    expect(await build([df(`FROM ${BUSYBOX_IMAGE}\n`)], "target=nope")).toMatchObject({ status: 400, error: "failed to reach build target nope in Dockerfile" });
    expect(await build([df(`FROM ${BUSYBOX_IMAGE}\n`)], "buildargs=%7Bbad")).toMatchObject({
      status: 400,
      error: "error reading build args: invalid character 'b' looking for beginning of object key string",
    });
  });

  it("reports failing steps in-stream", async () => {
    const missing = await build([df(`FROM ${BUSYBOX_IMAGE}\nCOPY nope.txt /x\n`)]);
    expect(missing.error).toBe("COPY failed: file not found in build context or excluded by .dockerignore: stat nope.txt: file does not exist");
    const failed = await build([df(`FROM ${BUSYBOX_IMAGE}\nRUN echo out; exit 3\n`)], "nocache=1");
    expect(failed.text).toContain("out\n");
    expect(failed.messages.at(-1)).toEqual({
      errorDetail: { code: 3, message: "The command '/bin/sh -c echo out; exit 3' returned a non-zero code: 3" },
      error: "The command '/bin/sh -c echo out; exit 3' returned a non-zero code: 3",
    });
    // Without forcerm the failed step's container stays, as with dockerd.
    const kept = (await d.request("GET", "/containers/json?all=1")).json() as { Command: string }[];
    expect(kept.some((c) => c.Command.includes("exit 3"))).toBe(true);
    const stage = await build([df(`FROM ${BUSYBOX_IMAGE}\nCOPY --from=nostage /a /b\n`)]);
    expect(stage.error).toMatch(/^invalid from flag value nostage: /);
  });
});

describe("cachefrom", () => {
  it("takes steps from a loaded image's history, ending on that image", async () => {
    const context = [df(`FROM ${BUSYBOX_IMAGE}\nENV CF=1\nRUN echo cf > /cf\nCMD ["cat", "/cf"]\n`)];
    const src = await build(context, "t=cf-src&nocache=1");
    const saved = await d.request("GET", "/images/cf-src/get");
    await d.request("DELETE", "/images/cf-src?force=1");
    expect((await d.request("POST", "/images/load?quiet=1", saved.raw, { "Content-Type": "application/x-tar" })).status).toBe(200);
    const reused = await build(context, `cachefrom=${encodeURIComponent(JSON.stringify(["cf-src", "not-here"]))}`);
    expect(reused.text.match(/Using cache/g)).toHaveLength(3);
    expect(reused.id).toBe(src.id);
    const history = (await d.request("GET", `/images/${src.id}/history`)).json() as { Id: string }[];
    expect(history.slice(0, 4).every((h) => h.Id.startsWith("sha256:"))).toBe(true);
    const fresh = await build(context, "");
    expect(fresh.text).toContain("Running in");
  });
});

describe("cancellation", () => {
  it("kills a running step and fails the build when the client goes away", async () => {
    const abort = new AbortController();
    const context = Readable.from([await tarOf([df(`FROM ${BUSYBOX_IMAGE}\nRUN echo started; sleep 30\n`)])]);
    const { engine } = d;
    const deps = { images: engine.images, containers: engine.containers, backend: engine.backend, distribution: engine.distribution, scratchDir: engine.scratchDir, insecureRegistries: [] };
    const options = { dockerfile: "Dockerfile", tags: [], buildArgs: {}, labels: {}, target: "", noCache: true, pull: false, remove: true, forceRemove: false, quiet: false, networkMode: "", memory: 0, cacheFrom: [], auth: {}, signal: abort.signal };
    const started = Date.now();
    const built = buildImage(deps, context, options, (m) => {
      if ("stream" in m && m.stream === "started\n") abort.abort();
    });
    await expect(built).rejects.toThrow("context canceled");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(engine.containers.list().filter((c) => c.state.Running)).toEqual([]);
  });
});

describe("goJsonError", () => {
  it("words malformed JSON as Go's encoding/json", () => {
    expect(goJsonError("{bad")).toBe("invalid character 'b' looking for beginning of object key string");
    expect(goJsonError("[")).toBe("unexpected end of JSON input");
    expect(goJsonError('{"a" 1}')).toBe("invalid character '1' after object key");
    expect(goJsonError('{"a":1 "b"}')).toBe("invalid character '\"' after object key:value pair");
    expect(goJsonError("{} x")).toBe("invalid character 'x' after top-level value");
  });
});
