import { describe, expect, it } from "vitest";
import { parseRegistryAuth } from "./auth-config.js";
import { parseChallenges } from "./challenge.js";
import { isInsecure, registryEndpoint } from "./endpoint.js";
import { loginDomain } from "./login.js";
import { parseManifest, requestedPlatform, selectManifest, MEDIA } from "./manifest.js";

describe("WWW-Authenticate", () => {
  it("reads a bearer challenge's parameters", () => {
    expect(parseChallenges(`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"`)).toEqual([
      { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/busybox:pull" } },
    ]);
  });
  it("reads several challenges and unquoted values", () => {
    expect(parseChallenges(`Basic realm=x, Bearer realm="r",error="insufficient_scope"`)).toEqual([
      { scheme: "basic", params: { realm: "x" } },
      { scheme: "bearer", params: { realm: "r", error: "insufficient_scope" } },
    ]);
  });
});

describe("X-Registry-Auth", () => {
  it("decodes base64url JSON with or without padding", () => {
    const header = Buffer.from(JSON.stringify({ username: "ü?>", password: "p", serveraddress: "r:5000", email: 1 })).toString("base64url");
    expect(parseRegistryAuth(header)).toEqual({ username: "ü?>", password: "p", serveraddress: "r:5000" });
    expect(parseRegistryAuth(undefined)).toEqual({});
  });
  it("refuses what is not JSON", () => {
    expect(() => parseRegistryAuth("!!!")).toThrow(/X-Registry-Auth/);
  });
});

describe("endpoints", () => {
  it("speaks HTTP to loopback and listed registries only", () => {
    expect(registryEndpoint("docker.io", []).base).toBe("https://registry-1.docker.io");
    expect(registryEndpoint("localhost:5000", []).base).toBe("http://localhost:5000");
    expect(registryEndpoint("127.0.0.1:5000", []).base).toBe("http://127.0.0.1:5000");
    expect(registryEndpoint("[::1]:5000", []).base).toBe("http://[::1]:5000");
    expect(registryEndpoint("reg.example:5000", []).base).toBe("https://reg.example:5000");
    expect(isInsecure("reg.example:5000", ["reg.example:5000"])).toBe(true);
    expect(isInsecure("reg.example:5000", ["reg.example"])).toBe(true);
    expect(isInsecure("reg.example:5000", ["other"])).toBe(false);
  });
  it("maps login addresses to reference domains", () => {
    expect(loginDomain("https://index.docker.io/v1/")).toBe("docker.io");
    expect(loginDomain("")).toBe("docker.io");
    expect(loginDomain("http://127.0.0.1:5000/v2/")).toBe("127.0.0.1:5000");
  });
});

describe("manifests", () => {
  const list = parseManifest(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.dockerList,
        manifests: [
          { mediaType: MEDIA.dockerManifest, digest: "sha256:a", size: 1, platform: { os: "linux", architecture: "arm", variant: "v6" } },
          { mediaType: MEDIA.dockerManifest, digest: "sha256:b", size: 1, platform: { os: "linux", architecture: "arm", variant: "v7" } },
          { mediaType: MEDIA.dockerManifest, digest: "sha256:c", size: 1, platform: { os: "linux", architecture: "amd64" } },
        ],
      }),
    ),
    MEDIA.dockerList,
  );
  it("picks the entry of the platform asked for", () => {
    if (list.kind !== "index") throw new Error("not an index");
    expect(selectManifest(list, requestedPlatform("", "amd64")).digest).toBe("sha256:c");
    expect(selectManifest(list, requestedPlatform("linux/arm/v7", "amd64")).digest).toBe("sha256:b");
    expect(() => selectManifest(list, requestedPlatform("linux/riscv64", "amd64"))).toThrow("no matching manifest for linux/riscv64 in the manifest list entries");
  });
  it("refuses schema 1 and unknown media types", () => {
    expect(() => parseManifest(Buffer.from(`{"schemaVersion":1}`), "application/vnd.docker.distribution.manifest.v1+prettyjws")).toThrow(/schema 1/);
    expect(() => parseManifest(Buffer.from("nope"), null)).toThrow(/not valid JSON/);
  });
});
