import { describe, expect, it } from "vitest";
import type { ContainerSpec, ProcessSpec } from "../backend.js";
import { execCommandLine, MarkerFilter } from "./exec.js";
import { fargateSize } from "./fargate-size.js";
import { parseEcsOptions } from "./options.js";
import { logStreamOf, taskDefinition, taskTags } from "./task-definition.js";
import { exitOf } from "./task-process.js";

const required = { region: "eu-west-1", subnets: "subnet-0a1b subnet-2c3d", executionRoleArn: "arn:aws:iam::123456789012:role/exec" };

const proc = (p: Partial<ProcessSpec> = {}): ProcessSpec => ({ argv: ["echo", "hi"], env: [], cwd: "", user: "", groups: [], hostname: "h", tty: false, stdin: false, ...p });

const spec = (s: Partial<ContainerSpec> = {}): ContainerSpec => ({ id: "c".repeat(64), image: "sha256:" + "a".repeat(64), labels: {}, layers: [], memory: 0, init: false, files: [], mounts: [], ...s });

describe("the ecs backend's options", () => {
  it("takes lists space-separated and fills defaults", () => {
    expect(parseEcsOptions({ ...required, securityGroups: "sg-12 sg-34", pollMs: "50" }, {})).toEqual({
      region: "eu-west-1",
      cluster: "default",
      subnets: ["subnet-0a1b", "subnet-2c3d"],
      securityGroups: ["sg-12", "sg-34"],
      executionRoleArn: "arn:aws:iam::123456789012:role/exec",
      assignPublicIp: "DISABLED",
      logGroup: "/sockerless/ecs",
      repository: "sockerless/images",
      registries: [],
      pollMs: 50,
    });
    const { region: _, ...noRegion } = required;
    expect(parseEcsOptions(noRegion, { AWS_REGION: "us-west-2" }).region).toBe("us-west-2");
  });

  it("says what is wrong", () => {
    expect(() => parseEcsOptions({ ...required, clutser: "x" }, {})).toThrow(/unknown ecs backend option "clutser"/);
    const { region: _, ...noRegion } = required;
    expect(() => parseEcsOptions(noRegion, {})).toThrow(/needs a region/);
    expect(() => parseEcsOptions({ ...required, subnets: "" }, {})).toThrow(/needs subnets/);
    expect(() => parseEcsOptions({ ...required, subnets: "vpc-1" }, {})).toThrow(/"vpc-1" is not a subnet ID/);
    expect(() => parseEcsOptions({ ...required, securityGroups: "default" }, {})).toThrow(/"default" is not a security group ID/);
    expect(() => parseEcsOptions({ ...required, executionRoleArn: "exec" }, {})).toThrow(/needs executionRoleArn/);
    expect(() => parseEcsOptions({ ...required, endpoint: "localhost:4566" }, {})).toThrow(/must be http\(s\):\/\/HOST\[:PORT\]/);
    expect(() => parseEcsOptions({ ...required, pollMs: "0" }, {})).toThrow(/pollMs "0"/);
    expect(() => parseEcsOptions({ ...required, assignPublicIp: "yes" }, {})).toThrow(/ENABLED or DISABLED/);
  });
});

describe("the ecs backend's task definitions", () => {
  it("maps a memory limit to the smallest Fargate size that holds it", () => {
    expect(fargateSize(0)).toEqual({ cpu: 256, memory: 512 });
    expect(fargateSize(6 << 20)).toEqual({ cpu: 256, memory: 512 });
    expect(fargateSize(600 * (1 << 20))).toEqual({ cpu: 256, memory: 1024 });
    expect(fargateSize(3000 * (1 << 20))).toEqual({ cpu: 512, memory: 3072 });
    expect(fargateSize(5000 * (1 << 20))).toEqual({ cpu: 1024, memory: 5120 });
    expect(fargateSize(100 * (1 << 30))).toEqual({ cpu: 16384, memory: 106496 });
    expect(() => fargateSize(200 * (1 << 30))).toThrow(/more than Fargate's largest task size/);
  });

  it("runs engine/'s argv in place of the image's entrypoint, with env, directory, user and awslogs", () => {
    const options = parseEcsOptions({ ...required, taskRoleArn: "arn:aws:iam::123456789012:role/task" }, {});
    const network = { mode: "", endpoints: [], portBindings: {}, publishAll: false, exposedPorts: ["80/tcp", "53/udp", "9/sctp"], dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [] };
    const td = taskDefinition(spec({ memory: 1 << 30, network }), proc({ argv: ["sh", "-c", "echo hi"], env: ["A=1", "EMPTY=", "BARE"], cwd: "/w", user: "1000:1000" }), "repo:tag", options);
    expect(td).toMatchObject({ family: `sockerless-${"c".repeat(64)}`, requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "1024", taskRoleArn: "arn:aws:iam::123456789012:role/task" });
    expect(td.containerDefinitions![0]).toMatchObject({
      name: "main",
      image: "repo:tag",
      entryPoint: [],
      command: ["sh", "-c", "echo hi"],
      environment: [
        { name: "A", value: "1" },
        { name: "EMPTY", value: "" },
        { name: "BARE", value: "" },
      ],
      workingDirectory: "/w",
      user: "1000:1000",
      portMappings: [
        { containerPort: 80, protocol: "tcp" },
        { containerPort: 53, protocol: "udp" },
      ],
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/sockerless/ecs", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "c".repeat(64) } },
    });
    expect(logStreamOf("abc", "arn:aws:ecs:eu-west-1:123456789012:task/work/0123")).toBe("abc/main/0123");
  });

  it("tags tasks with the labels ECS allows", () => {
    const tags = taskTags(spec({ labels: { "com.docker.compose.project": "demo", "aws:reserved": "x", "bad*key": "x", ok: "bad\nvalue" } }));
    expect(tags).toEqual([
      { key: "sockerless-container", value: "c".repeat(64) },
      { key: "com.docker.compose.project", value: "demo" },
    ]);
    const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`l${i}`, "v"]));
    expect(taskTags(spec({ labels: many }))).toHaveLength(50);
  });

  it("reads a stopped task's exit code, or why its container never ran", () => {
    expect(exitOf({ lastStatus: "STOPPED", containers: [{ exitCode: 3 }] })).toEqual({ exitCode: 3 });
    expect(exitOf({ lastStatus: "STOPPED", stoppedReason: "CannotPullContainerError", containers: [{ reason: "pull access denied" }] })).toEqual({ exitCode: 128, error: "CannotPullContainerError: pull access denied" });
    expect(exitOf({ lastStatus: "STOPPED", stoppedReason: "CannotStartContainerError: no user", containers: [{ reason: "CannotStartContainerError: no user" }] }).error).toBe("no user");
  });
});

describe("the ecs backend's execs", () => {
  it("runs the argv under sh with env and directory, and prints the exit code after a marker", () => {
    expect(execCommandLine(proc({ argv: ["echo", "it's"], env: ["A=b c"], cwd: "/tmp" }), "M")).toBe(`sh -c 'cd '\\''/tmp'\\'' && env '\\''A=b c'\\'' '\\''echo'\\'' '\\''it'\\''\\'\\'''\\''s'\\''; echo "M $?"'`);
  });

  it("strips the marker line however the output is cut, and turns the terminal's CR LF into LF without a TTY", () => {
    const marker = "sockerless-exit-0123";
    for (const cut of [1, 3, 7, 100]) {
      let out = "";
      const filter = new MarkerFilter(marker, false, (d) => (out += d.toString()));
      const text = `one\r\ntwo${marker} 42\r\n`;
      for (let i = 0; i < text.length; i += cut) filter.push(Buffer.from(text.slice(i, i + cut)));
      filter.end();
      expect(out).toBe("one\ntwo");
      expect(filter.exitCode).toBe(42);
    }
    let tty = "";
    const keeps = new MarkerFilter(marker, true, (d) => (tty += d.toString()));
    keeps.push(Buffer.from(`a\r\nsockerless-ex`));
    expect(tty).toBe("a\r\n");
    keeps.push(Buffer.from(`it-9999 not the marker\r\n`));
    keeps.end();
    expect(tty).toBe("a\r\nsockerless-exit-9999 not the marker\r\n");
    expect(keeps.exitCode).toBeUndefined();
  });
});
