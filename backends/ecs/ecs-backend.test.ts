import { ECSClient, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { ECRClient, CreateRepositoryCommand, DescribeImagesCommand, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { CloudWatchLogsClient, DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE } from "../../conformance/images/busybox.js";
import { attachOutput, containerCalls, demux, type TestDaemon } from "../../frontend/testing.js";
import type { AwsSimulator } from "../../simulators/aws/simulator.js";
import { startEcsTestbed, type EcsTestbed } from "./testing.js";
import type { ContainerSpec } from "../backend.js";
import { createBackend } from "../registry.js";

/** Polls until the condition holds. */
async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((r) => setTimeout(r, 20));
  }
}

let bed: EcsTestbed;
let sim: AwsSimulator;
let d: TestDaemon;
let ecs: ECSClient;
let cloudWatch: CloudWatchLogsClient;
let backendOptions: Record<string, string>;
const json = { "Content-Type": "application/json" };

beforeAll(async () => {
  bed = await startEcsTestbed();
  ({ sim, daemon: d, options: backendOptions } = bed);
  const config = { endpoint: sim.endpoint, region: sim.region };
  ecs = new ECSClient(config);
  cloudWatch = new CloudWatchLogsClient(config);
}, 60_000);

afterAll(async () => {
  ecs?.destroy();
  cloudWatch?.destroy();
  await bed?.close();
});

const { create, start, waitFor, logs } = containerCalls(() => d, BUSYBOX_IMAGE);


describe("the ecs backend", () => {
  it("answers docker run --rm IMG echo hi as the CLI asks it: attach, wait for removal, start", async () => {
    const id = await create({ Cmd: ["echo", "hi"], AttachStdout: true, AttachStderr: true, HostConfig: { AutoRemove: true } });
    const session = attachOutput(d.socket, id);
    await session.attached;
    const removed = d.request("POST", `/containers/${id}/wait?condition=removed`);
    await start(id);
    expect(demux(await session.output)).toEqual(["hi\n", ""]);
    expect((await removed).json().StatusCode).toBe(0);
  });

  it("runs a container as a task: its output from CloudWatch Logs, its exit code through wait, its image pushed to ECR once", async () => {
    const id = await create({ Cmd: ["sh", "-c", "echo hi; echo there >&2; exit 3"] });
    await start(id);
    expect(await waitFor(id)).toBe(3);
    expect(await logs(id)).toEqual(["hi\nthere\n", ""]);
    const again = await create({ Cmd: ["echo", "again"] });
    await start(again);
    expect(await waitFor(again)).toBe(0);
    expect((await logs(again))[0]).toBe("again\n");
    const ecr = new ECRClient({ endpoint: sim.endpoint, region: sim.region });
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: "sockerless/images" }));
    ecr.destroy();
    expect(images.imageDetails?.map((i) => i.imageTags)).toHaveLength(1);
  });

  it("gives a container with a TTY a task with a terminal, whose output keeps the terminal's CR LF", async () => {
    const id = await create({ Cmd: ["sh", "-c", "echo one; echo two"], Tty: true });
    await start(id);
    expect(await waitFor(id)).toBe(0);
    const r = await d.request("GET", `/containers/${id}/logs?stdout=1&stderr=1`);
    expect(r.body).toBe("one\r\ntwo\r\n");
  });

  it("removes a container that asked for it once it exits, with its task definitions", async () => {
    const id = await create({ Cmd: ["echo", "gone"], HostConfig: { AutoRemove: true } });
    const waiting = d.request("POST", `/containers/${id}/wait?condition=removed`);
    await start(id);
    expect((await waiting).json().StatusCode).toBe(0);
    expect((await d.request("GET", `/containers/${id}/json`)).status).toBe(404);
    for (const status of ["ACTIVE", "INACTIVE"] as const) {
      const family = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: `sockerless-${id}`, status }));
      expect(family.taskDefinitionArns).toEqual([]);
    }
    const streams = await cloudWatch.send(new DescribeLogStreamsCommand({ logGroupName: "/sockerless/ecs", logStreamNamePrefix: `${id}/` }));
    expect(streams.logStreams).toEqual([]);
  });

  it("runs an image pulled from a registry tasks can pull from by its digest, without pushing it", async () => {
    const ecr = new ECRClient({ endpoint: sim.endpoint, region: sim.region });
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
    const repository = (await ecr.send(new CreateRepositoryCommand({ repositoryName: "pulled/busybox" }))).repository!.repositoryUri!;
    const [username, password] = Buffer.from(token, "base64").toString().split(":");
    const auth = { "X-Registry-Auth": Buffer.from(JSON.stringify({ username, password, serveraddress: repository.split("/")[0] })).toString("base64url") };
    expect((await d.request("POST", `/images/${BUSYBOX_IMAGE}/tag?repo=${repository}&tag=1`)).status).toBe(201);
    const pushed = await d.request("POST", `/images/${repository}/push?tag=1`, undefined, auth);
    expect(pushed.body).not.toMatch(/errorDetail/);
    const digest = (await d.request("GET", `/images/${repository}:1/json`)).json().RepoDigests[0] as string;
    expect(digest).toMatch(/@sha256:/);
    const id = await create({ Image: `${repository}:1`, Cmd: ["echo", "pulled"] });
    await start(id);
    expect(await waitFor(id)).toBe(0);
    expect((await logs(id))[0]).toBe("pulled\n");
    const family = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: `sockerless-${id}` }));
    const definition = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family.taskDefinitionArns![0] }));
    expect(definition.taskDefinition!.containerDefinitions![0].image).toBe(digest);
    ecr.destroy();
  });

  it("follows a task on from another backend instance over the same data, as after a daemon restart", async () => {
    const id = await create({ Cmd: ["sh", "-c", "echo before; while [ ! -f /tmp/go ]; do sleep 0.05; done; echo after; exit 3"] });
    await start(id);
    await until(async () => (await logs(id))[0] === "before\n");
    const restarted = createBackend("ecs", backendOptions, d.dataDir);
    try {
      const adopted = await restarted.adopt!({ id } as ContainerSpec);
      expect(adopted).toBeDefined();
      let output = "";
      adopted!.onOutput((_stream, data) => (output += data.toString()));
      const touch = (await d.request("POST", `/containers/${id}/exec`, JSON.stringify({ Cmd: ["touch", "/tmp/go"] }), json)).json();
      expect((await d.request("POST", `/exec/${touch.Id}/start`, JSON.stringify({ Detach: true }), json)).status).toBe(200);
      expect(await adopted!.exited).toEqual({ exitCode: 3 });
      expect(output).toBe("after\n");
      expect(await restarted.adopt!({ id: "0".repeat(64) } as ContainerSpec)).toBeUndefined();
    } finally {
      await restarted.close();
    }
    expect(await waitFor(id)).toBe(3);
  });

  it("runs execs in the running task with their exit codes, and stops it", async () => {
    const id = await create({ Cmd: ["sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.1; done"] });
    await start(id);
    const exec = (await d.request("POST", `/containers/${id}/exec`, JSON.stringify({ Cmd: ["sh", "-c", "echo in $PWD; exit 4"], AttachStdout: true, AttachStderr: true }), json)).json();
    const out = await d.request("POST", `/exec/${exec.Id}/start`, JSON.stringify({ Detach: false, Tty: false }), json);
    expect(demux(out.raw)).toEqual(["in /\n", ""]);
    expect((await d.request("GET", `/exec/${exec.Id}/json`)).json().ExitCode).toBe(4);
    expect((await d.request("POST", `/containers/${id}/stop?t=5`)).status).toBe(204);
    expect((await d.request("GET", `/containers/${id}/json`)).json().State).toMatchObject({ Status: "exited", ExitCode: 7 });
    expect((await d.request("DELETE", `/containers/${id}`)).status).toBe(204);
  });

  it("answers 501 for what it cannot do", async () => {
    const id = await create({ Cmd: ["true"] });
    const r = await d.request("GET", `/containers/${id}/archive?path=/etc`);
    expect(r.status).toBe(501);
    expect(r.json().message).toMatch(/not supported by the ecs backend/);
    const interactive = await create({ Cmd: ["cat"], OpenStdin: true });
    const started = await d.request("POST", `/containers/${interactive}/start`);
    expect(started.status).toBe(501);
    const mounted = await create({ Cmd: ["true"], HostConfig: { Tmpfs: { "/run": "" } } });
    const refused = await d.request("POST", `/containers/${mounted}/start`);
    expect(refused.status).toBe(501);
    expect(refused.json().message).toMatch(/cannot mount a tmpfs at \/run/);
    const running = await create({ Cmd: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"] });
    await start(running);
    const signalled = await d.request("POST", `/containers/${running}/kill?signal=USR1`);
    expect(signalled.status).toBe(501);
    expect(signalled.json().message).toMatch(/SIGUSR1 is not supported by the ecs backend/);
    for (const [body, message] of [
      [{ Cmd: ["id"], User: "nobody" }, /an exec as another user than the container's is not supported by the ecs backend/],
      [{ Cmd: ["cat"], AttachStdin: true }, /an exec's input without a terminal .* is not supported by the ecs backend/],
    ] as const) {
      const refusedExec = await d.request("POST", `/containers/${running}/exec`, JSON.stringify(body), json);
      expect(refusedExec.status).toBe(501);
      expect(refusedExec.json().message).toMatch(message);
    }
    for (const [body, message] of [
      [{ Hostname: "web" }, /a hostname of the container's own \(web\) is not supported by the ecs backend/],
      [{ HostConfig: { GroupAdd: ["audio"] } }, /supplementary groups \(--group-add\) are not supported by the ecs backend/],
    ] as const) {
      const refusedStart = await d.request("POST", `/containers/${await create({ Cmd: ["true"], ...body })}/start`);
      expect(refusedStart.status).toBe(501);
      expect(refusedStart.json().message).toMatch(message);
    }
    expect((await d.request("DELETE", `/containers/${running}?force=1`)).status).toBe(204);
  });

  it("lists what it cannot do in docker version", async () => {
    const component = (await d.request("GET", "/version")).json().Components.find((c: { Name: string }) => c.Name === "backend ecs");
    expect(component.Details.Unsupported.split(",")).toEqual(expect.arrayContaining(["attach", "mounts", "signals", "stderr", "top", "stats"]));
  });
});
