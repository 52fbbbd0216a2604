import { describe, expect, it } from "vitest";
import type { ContainerSpec } from "../backend.js";
import { createBody, engineNetworkMode, volumeName } from "./create-body.js";
import { dockerBackendHost } from "./options.js";
import { StdcopyReader } from "./stdcopy-reader.js";

const frame = (stream: number, text: string) => {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
};

describe("the docker backend", () => {
  it("splits multiplexed output however the socket cuts the frames", () => {
    const got: string[] = [];
    const reader = new StdcopyReader((stream, data) => got.push(`${stream}:${data}`));
    const bytes = Buffer.concat([frame(1, "out\n"), frame(2, "err\n"), frame(1, "more")]);
    for (let i = 0; i < bytes.length; i += 3) reader.push(bytes.subarray(i, i + 3));
    expect(got).toEqual(["1:out\n", "2:err\n", "1:more"]);
  });

  it("creates the engine's container from engine/'s resolved process, mounts and ports", () => {
    const spec: ContainerSpec = {
      id: "c".repeat(64),
      image: "sha256:abc",
      labels: {},
      layers: [],
      memory: 64 << 20,
      init: true,
      files: [],
      mounts: [
        { type: "volume", source: "/data/volumes/v/_data", destination: "/data", readOnly: false, copyImageContent: true },
        { type: "bind", source: "/srv", destination: "/srv", readOnly: true, copyImageContent: false },
        { type: "tmpfs", source: "", destination: "/run", readOnly: false, copyImageContent: false },
      ],
      main: { argv: ["sh", "-c", "echo hi"], env: ["A=1"], cwd: "/w", user: "1000", groups: [], hostname: "h", tty: false, stdin: true },
      network: { mode: "", endpoints: [], portBindings: { "80/tcp": [{ HostPort: "0" }] }, publishAll: false, exposedPorts: ["80/tcp"], dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [] },
    };
    const body = createBody(spec, "sha256:abc", "owner-1", "sockerless-net");
    expect(body).toMatchObject({ Image: "sha256:abc", Entrypoint: ["sh", "-c", "echo hi"], Cmd: null, Env: ["A=1"], WorkingDir: "/w", User: "1000", OpenStdin: true, StdinOnce: true, ExposedPorts: { "80/tcp": {} } });
    expect(body.Labels).toEqual({ "com.sockerless.container": spec.id, "com.sockerless.owner": "owner-1" });
    expect(body.HostConfig).toMatchObject({ Init: true, Memory: 64 << 20, NetworkMode: "sockerless-net", PortBindings: { "80/tcp": [{ HostPort: "0" }] } });
    expect(body.HostConfig.Mounts).toEqual([
      { Type: "volume", Source: volumeName("/data/volumes/v/_data"), Target: "/data", ReadOnly: false, VolumeOptions: { NoCopy: false } },
      { Type: "bind", Source: "/srv", Target: "/srv", ReadOnly: true },
      { Type: "tmpfs", Target: "/run", ReadOnly: false },
    ]);
  });

  it("keeps none and host, and refuses what it cannot map yet", () => {
    const net = (mode: string) => ({ mode, endpoints: [], portBindings: {}, publishAll: false, exposedPorts: [], dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [] });
    expect(engineNetworkMode(net("none"), undefined)).toBe("none");
    expect(engineNetworkMode(net("host"), "x")).toBe("host");
    expect(engineNetworkMode(net("bridge"), "sockerless-1")).toBe("sockerless-1");
    expect(() => engineNetworkMode(net("container:abc"), undefined)).toThrow(/not supported by the docker backend/);
  });

  it("takes the engine's address in DOCKER_HOST's form", () => {
    expect(dockerBackendHost({})).toBe("unix:///var/run/docker.sock");
    expect(dockerBackendHost({ host: "tcp://127.0.0.1:2375" })).toBe("tcp://127.0.0.1:2375");
    expect(() => dockerBackendHost({ host: "http://x" })).toThrow(/unix:\/\/\/PATH or tcp/);
    expect(() => dockerBackendHost({ hots: "x" })).toThrow(/unknown docker backend option "hots"/);
  });
});
