/**
 * Containers, exec, logs, attach and events through dockerode, unmodified.
 * Usage: node dist/conformance/clients/dockerode-scenario.js SOCKET
 *
 * Prints `PASS name` or `FAIL name: reason` per check; clients.sh runs it
 * against the reference engine and sockerless and compares the transcripts.
 * A check that needs what the engine's backend declares unsupported
 * (`docker version`) prints `SKIP name: reason` instead.
 * Every container carries a label unique to the run and is removed at the end.
 */
import { PassThrough, type Readable } from "node:stream";
import Docker from "dockerode";
import tar from "tar-stream";
import { backendSupport } from "../backend-support.js";

const IMG = "sockerless-test/busybox";
const RUN = `sockerless-clients-js-${process.pid}`;
const LABELS = { "sockerless.clients": RUN };
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /;

const docker = new Docker({ socketPath: process.argv[2] });
interface Check {
  name: string;
  /** What the backend must be able to do, by the names docker version lists as unsupported. */
  needs: string[];
  fn: () => Promise<void>;
}
const checks: Check[] = [];
function check(name: string, ...rest: [() => Promise<void>] | [string[], () => Promise<void>]): void {
  const [needs, fn] = rest.length === 1 ? [[], rest[0]] : rest;
  checks.push({ name, needs, fn });
}

function expect(actual: unknown, wanted: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const w = JSON.stringify(wanted);
  if (a !== w) throw new Error(`${what}: wanted ${w}, got ${a}`);
}

async function expectStatus(p: Promise<unknown>, status: number, what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect((e as { statusCode?: number }).statusCode, status, what);
    return;
  }
  throw new Error(`${what}: succeeded, wanted status ${status}`);
}

const create = (Cmd: string[], opts: Docker.ContainerCreateOptions = {}) =>
  docker.createContainer({ Image: IMG, Cmd, ...opts, Labels: { ...LABELS, ...(opts.Labels ?? {}) } });

/** Ends at SIGTERM, so a backend that can only stop containers (SIGTERM, then SIGKILL after a grace period) removes it at once. */
const STOPPABLE = ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"];

async function sleeper(opts: Docker.ContainerCreateOptions = {}) {
  const c = await create(STOPPABLE, opts);
  await c.start();
  return c;
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("close", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

/** Splits a multiplexed (stdcopy) stream with dockerode's own demuxer. */
async function demux(stream: Readable): Promise<{ out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const outText = collect(out);
  const errText = collect(err);
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  });
  out.end();
  err.end();
  return { out: (await outText).toString(), err: (await errText).toString() };
}

/** Runs an exec to its end: its demultiplexed output and inspect. */
async function execRun(c: Docker.Container, opts: Docker.ExecCreateOptions) {
  const exec = await c.exec({ AttachStdout: true, AttachStderr: true, ...opts });
  const stream = await exec.start({ hijack: true, stdin: false });
  const output = await demux(stream);
  return { ...output, inspect: await exec.inspect() };
}

const sortedLines = (s: string) => s.split(/(?<=\n)/).filter(Boolean).sort();

check("run attached: attach before start, then wait", ["stderr"], async () => {
  const c = await create(["sh", "-c", "echo out; echo err >&2; exit 3"]);
  const stream = await c.attach({ stream: true, stdout: true, stderr: true });
  const output = demux(stream as unknown as Readable);
  await c.start();
  expect((await c.wait()).StatusCode, 3, "wait");
  expect(await output, { out: "out\n", err: "err\n" }, "attached output");
  await c.remove();
});

check("create, start, kill, restart, stop, remove", async () => {
  const c = await create(["sleep", "300"], { name: `${RUN}-life` });
  expect((await c.inspect()).State.Status, "created", "after create");
  await c.start();
  expect((await c.inspect()).State.Status, "running", "after start");
  await expectStatus(c.start(), 304, "start of a running container");
  await c.kill({ signal: "SIGKILL" });
  expect((await c.wait()).StatusCode, 137, "exit code after SIGKILL");
  await c.restart({ t: 1 });
  expect((await c.inspect()).State.Running, true, "running after restart");
  await c.stop({ t: 1 });
  const after = await c.inspect();
  expect([after.State.Status, after.State.ExitCode], ["exited", 137], "after stop");
  await expectStatus(c.stop(), 304, "stop of a stopped container");
  await expectStatus(c.kill({ signal: "NOSUCHSIG" }), 400, "a bad signal");
  await expectStatus(c.kill(), 409, "kill of a stopped container");
  await c.remove();
  await expectStatus(c.inspect(), 404, "inspect after remove");
});

check("remove of a running container needs force", async () => {
  const c = await sleeper();
  await expectStatus(c.remove(), 409, "remove without force");
  await c.remove({ force: true });
});

check("wait conditions", async () => {
  const c = await create(["sh", "-c", "exit 2"]);
  expect((await c.wait({ condition: "not-running" })).StatusCode, 0, "not-running of a created container");
  const next = c.wait({ condition: "next-exit" });
  await c.start();
  expect((await next).StatusCode, 2, "next-exit");
  await c.remove();
});

check("list with filters", async () => {
  const mark = { "sockerless.clients.list": "yes" };
  const running = await sleeper({ name: `${RUN}-list-running`, Labels: mark });
  const exited = await create(["true"], { name: `${RUN}-list-exited`, Labels: mark });
  await exited.start();
  await exited.wait();
  const mine = { label: [`sockerless.clients=${RUN}`, "sockerless.clients.list=yes"] };
  const names = async (opts: object) => (await docker.listContainers(opts)).map((c) => c.Names[0]).sort();
  expect(await names({ all: true, filters: mine }), [`/${RUN}-list-exited`, `/${RUN}-list-running`], "all");
  expect(await names({ filters: mine }), [`/${RUN}-list-running`], "running");
  expect(await names({ all: true, filters: { ...mine, status: ["exited"] } }), [`/${RUN}-list-exited`], "status");
  expect(await names({ all: true, filters: JSON.stringify({ ...mine, name: [`${RUN}-list-run`] }) }), [`/${RUN}-list-running`], "name (filters as a string)");
  expect(await names({ all: true, filters: { ...mine, id: [exited.id.slice(0, 12)] } }), [`/${RUN}-list-exited`], "id prefix");
  const [entry] = await docker.listContainers({ filters: mine });
  expect([entry.Id, entry.Image, entry.Command, entry.State, entry.Labels["sockerless.clients.list"]], [running.id, IMG, "sh -c 'trap 'exit 0' TERM; sleep 300 & wait'", "running", "yes"], "entry");
  await expectStatus(docker.listContainers({ filters: { nope: ["x"] } }), 400, "an unknown filter");
  await running.remove({ force: true });
  await exited.remove();
});

check("inspect and rename", async () => {
  const c = await create(["sh", "-c", "echo $A"], { name: `${RUN}-old`, Env: ["A=1"], WorkingDir: "/tmp", Hostname: "hh" });
  const a = await c.inspect();
  expect([a.Path, a.Args, a.Config.WorkingDir, a.Config.Hostname, a.Config.Env.includes("A=1"), a.Name], ["sh", ["-c", "echo $A"], "/tmp", "hh", true, `/${RUN}-old`], "inspect");
  await c.rename({ name: `${RUN}-new` });
  expect((await c.inspect()).Name, `/${RUN}-new`, "name after rename");
  expect((await docker.getContainer(`${RUN}-new`).inspect()).Id, c.id, "found by its new name");
  await expectStatus(docker.getContainer(`${RUN}-old`).inspect(), 404, "the old name");
  await c.remove();
});

check("logs: all, streams, tail, since, timestamps", ["stderr"], async () => {
  const c = await create(["sh", "-c", "echo one; echo two >&2; echo three"]);
  await c.start();
  await c.wait();
  const all = await c.logs({ stdout: true, stderr: true, follow: false });
  const split = await demux(PassThrough.from([all]) as unknown as Readable);
  expect(split, { out: "one\nthree\n", err: "two\n" }, "demultiplexed logs");
  const stamped = await demux(PassThrough.from([await c.logs({ stdout: true, timestamps: true })]) as unknown as Readable);
  const lines = stamped.out.split(/(?<=\n)/);
  expect(lines.length, 2, "timestamped lines");
  for (const l of lines) if (!TIMESTAMP.test(l)) throw new Error(`no timestamp on ${JSON.stringify(l)}`);
  expect(lines.map((l) => l.replace(TIMESTAMP, "")), ["one\n", "three\n"], "text after timestamps");
  expect((await c.logs({ stdout: true, stderr: true, since: Math.floor(Date.now() / 1000) + 3600 })).length, 0, "since in the future");
  const d = await create(["sh", "-c", "echo a; echo b; echo c"]);
  await d.start();
  await d.wait();
  expect((await demux(PassThrough.from([await d.logs({ stdout: true, tail: 2 })]) as unknown as Readable)).out, "b\nc\n", "tail=2");
  await c.remove();
  await d.remove();
});

check("logs follow until exit", ["attach"], async () => {
  const c = await create(["sh", "-c", "echo first; read x; echo second"], { OpenStdin: true, StdinOnce: true });
  const stdin = await c.attach({ stream: true, stdin: true, hijack: true });
  await c.start();
  const stream = (await c.logs({ stdout: true, follow: true })) as unknown as Readable;
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => {
    text += d.toString();
    if (text === "first\n") stdin.end("go\n");
  });
  docker.modem.demuxStream(stream, out, out);
  await new Promise((resolve) => stream.on("end", resolve));
  expect(text, "first\nsecond\n", "followed output");
  expect((await c.wait()).StatusCode, 0, "exit code");
  await c.remove();
});

check("exec: output, exit code, workdir, env, user, inspect", ["stderr", "execUser"], async () => {
  const c = await sleeper();
  const r = await execRun(c, { Cmd: ["sh", "-c", "echo out; echo err >&2; exit 3"] });
  expect([r.out, r.err, r.inspect.ExitCode, r.inspect.Running], ["out\n", "err\n", 3, false], "output and exit");
  expect((await execRun(c, { Cmd: ["pwd"], WorkingDir: "/tmp" })).out, "/tmp\n", "workdir");
  expect((await execRun(c, { Cmd: ["sh", "-c", "echo $FOO"], Env: ["FOO=bar"] })).out, "bar\n", "env");
  expect((await execRun(c, { Cmd: ["sh", "-c", "echo x"], AttachStderr: false })).out, "x\n", "stdout only");
  const u = await execRun(c, { Cmd: ["true"], User: "nobody" });
  expect([u.inspect.ProcessConfig.user, u.inspect.ExitCode, u.inspect.ContainerID], ["nobody", 0, c.id], "user");
  const missing = await execRun(c, { Cmd: ["nope-not-a-command"] });
  expect([126, 127].includes(missing.inspect.ExitCode ?? -1), true, `exit code of a missing executable (${missing.inspect.ExitCode})`);
  await c.remove({ force: true });
});

check("exec with stdin", ["execInputEnds"], async () => {
  const c = await sleeper();
  const exec = await c.exec({ Cmd: ["cat"], AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: true });
  const output = demux(stream);
  stream.end("piped\n");
  expect(await output, { out: "piped\n", err: "" }, "echoed stdin");
  expect((await exec.inspect()).ExitCode, 0, "exit code");
  await c.remove({ force: true });
});

check("exec into a created container is a conflict", async () => {
  const c = await create(["true"]);
  await expectStatus(c.exec({ Cmd: ["true"] }).then((e) => e.start({})), 409, "exec");
  await c.remove();
});

check("top", ["top"], async () => {
  const c = await sleeper();
  const t = await c.top();
  const cmd = t.Titles.indexOf("CMD");
  expect(cmd >= 0 && t.Titles.includes("PID"), true, `titles ${t.Titles}`);
  expect(t.Processes.some((p: string[]) => p[cmd].includes("sleep 300")), true, "sleep 300 listed");
  await c.kill();
  await c.wait();
  await expectStatus(c.top(), 409, "top of a stopped container");
  await c.remove();
});

check("stats once", ["stats"], async () => {
  const c = await sleeper();
  const s = await c.stats({ stream: false });
  for (const k of ["read", "cpu_stats", "precpu_stats", "memory_stats", "pids_stats"]) if (!(k in s)) throw new Error(`no ${k}`);
  expect([s.id, s.name, (s.pids_stats?.current ?? 0) >= 1, s.cpu_stats.online_cpus >= 1], [c.id, `/${(await c.inspect()).Name.slice(1)}`, true, true], "stats");
  await c.remove({ force: true });
});

check("update", async () => {
  const c = await sleeper();
  await c.update({ RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 } });
  expect((await c.inspect()).HostConfig.RestartPolicy, { Name: "on-failure", MaximumRetryCount: 3 }, "restart policy");
  await expectStatus(c.update({ RestartPolicy: { Name: "bogus" } }), 400, "a bad policy");
  await c.remove({ force: true });
});

check("events: since, until, filters", async () => {
  const since = Date.now() / 1000 - 1;
  const c = await create(["sh", "-c", "exit 3"], { name: `${RUN}-events` });
  await c.start();
  await c.wait();
  await c.remove();
  const until = (Date.now() / 1000 + 0.5).toFixed(9);
  const read = async (filters: object) => {
    const stream = (await docker.getEvents({ since: since.toFixed(9) as never, until: until as never, filters })) as unknown as Readable;
    return (await collect(stream)).toString().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  };
  const events = await read({ container: [c.id] });
  expect(events.map((e) => e.Action), ["create", "start", "die", "destroy"], "actions");
  const die = events[2];
  expect([die.Type, die.Actor.ID, die.Actor.Attributes.exitCode, die.Actor.Attributes.name, die.Actor.Attributes["sockerless.clients"]], ["container", c.id, "3", `${RUN}-events`, RUN], "die");
  expect((await read({ container: [c.id], event: ["die"] })).length, 1, "event filter");
  expect((await read({ label: [`sockerless.clients=${RUN}`], type: ["container"], event: ["destroy"] })).some((e) => e.id === c.id), true, "label filter");
});

check("put and get archive", ["archive", "archiveNotRunning"], async () => {
  const c = await create(["cat", "/tmp/in/hello.txt"]);
  const pack = tar.pack();
  pack.entry({ name: "in", type: "directory", mode: 0o755 });
  pack.entry({ name: "in/hello.txt", mode: 0o640 }, "hello archive\n");
  pack.finalize();
  await c.putArchive(pack as unknown as NodeJS.ReadableStream, { path: "/tmp" });
  await c.start();
  expect((await c.wait()).StatusCode, 0, "exit code");
  expect((await demux(PassThrough.from([await c.logs({ stdout: true })]) as unknown as Readable)).out, "hello archive\n", "content seen by the container");
  const archive = (await c.getArchive({ path: "/tmp/in/hello.txt" })) as unknown as Readable;
  const entries: [string, string][] = [];
  const extract = tar.extract();
  extract.on("entry", (h, s, next) => {
    collect(s as unknown as Readable).then((b) => {
      entries.push([h.name, b.toString()]);
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on("finish", () => resolve());
    extract.on("error", reject);
  });
  archive.pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  expect(entries, [["hello.txt", "hello archive\n"]], "archive");
  const info = await c.infoArchive({ path: "/tmp/in/hello.txt" });
  expect(info.statusCode ?? 200, 200, "stat");
  await expectStatus(c.getArchive({ path: "/tmp/none" }), 404, "a missing path");
  await c.remove();
});

const backend = backendSupport(await docker.version());
let failed = 0;
try {
  for (const { name, needs, fn } of checks) {
    const lacking = backend.lacking(needs);
    if (lacking.length) {
      console.log(`SKIP ${name}: needs ${lacking.join(", ")}, which backend ${backend.name} declares unsupported`);
      continue;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      // A check that hangs (input whose end never arrives) fails instead of stopping the run.
      const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("no result within 60 s")), 60_000)));
      await Promise.race([fn(), deadline]);
      console.log(`PASS ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${String((e as Error).message ?? e).replace(/\n/g, " ")}`);
    } finally {
      clearTimeout(timer);
    }
  }
} finally {
  for (const c of await docker.listContainers({ all: true, filters: { label: [`sockerless.clients=${RUN}`] } })) await docker.getContainer(c.Id).remove({ force: true });
  if ((await docker.listContainers({ all: true, filters: { label: [`sockerless.clients=${RUN}`] } })).length) {
    console.log("FAIL cleanup: containers left");
    failed++;
  }
}
process.exit(failed ? 1 : 0);
