import { describe, expect, it } from "vitest";
import { familiarName, familiarTagged, parseReference } from "./reference.js";

describe("image references", () => {
  it("normalises as Docker does", () => {
    expect(parseReference("busybox")).toEqual({ domain: "docker.io", path: "library/busybox", tag: undefined, digest: undefined });
    expect(familiarTagged(parseReference("busybox"))).toBe("busybox:latest");
    expect(familiarTagged(parseReference("docker.io/library/busybox:1.36"))).toBe("busybox:1.36");
    expect(familiarTagged(parseReference("me/app:v1"))).toBe("me/app:v1");
    expect(familiarName(parseReference("localhost:5000/a/b:c"))).toBe("localhost:5000/a/b");
    expect(parseReference("127.0.0.1:5000/x@sha256:" + "a".repeat(64)).digest).toBe("sha256:" + "a".repeat(64));
  });

  it("rejects invalid references with Docker's message", () => {
    expect(() => parseReference("Busybox")).toThrow("invalid reference format: repository name (library/Busybox) must be lowercase");
    expect(() => parseReference("a:b:c")).toThrow("invalid reference format");
    expect(() => parseReference("")).toThrow("invalid reference format");
    expect(() => parseReference("x/../y")).toThrow("invalid reference format");
    expect(() => parseReference("x:" + "t".repeat(129))).toThrow("invalid reference format");
  });
});
