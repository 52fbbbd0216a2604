import { describe, expect, it } from "vitest";
import { checkExposure, formatAddress, parseHost } from "./listen.js";

describe("listen addresses", () => {
  it("parses unix and tcp addresses with Docker's default ports", () => {
    expect(parseHost("unix:///run/x.sock", false)).toEqual({ kind: "unix", path: "/run/x.sock" });
    expect(parseHost("tcp://127.0.0.1:2999", false)).toEqual({ kind: "tcp", host: "127.0.0.1", port: 2999 });
    expect(parseHost("tcp://localhost", false)).toEqual({ kind: "tcp", host: "localhost", port: 2375 });
    expect(parseHost("tcp://[::1]", true)).toEqual({ kind: "tcp", host: "::1", port: 2376 });
    expect(formatAddress(parseHost("tcp://[::1]:5", false))).toBe("tcp://[::1]:5");
  });

  it("rejects what it cannot serve", () => {
    expect(() => parseHost("unix://relative.sock", false)).toThrow(/absolute/);
    expect(() => parseHost("fd://", false)).toThrow(/unsupported listen address/);
    expect(() => parseHost("tcp://1.2.3.4:99999", false)).toThrow(/invalid port/);
  });

  it("allows loopback TCP without TLS and requires mutual TLS elsewhere", () => {
    expect(() => checkExposure(parseHost("tcp://127.0.0.1:1", false), undefined)).not.toThrow();
    expect(() => checkExposure(parseHost("tcp://[::1]:1", false), undefined)).not.toThrow();
    expect(() => checkExposure(parseHost("tcp://0.0.0.0:1", false), undefined)).toThrow(/refusing to listen/);
    expect(() => checkExposure(parseHost("tcp://0.0.0.0:1", true), { verify: false, cert: "c", key: "k" })).toThrow(/client verification/);
    expect(() => checkExposure(parseHost("tcp://0.0.0.0:1", true), { verify: true, ca: "a", cert: "c", key: "k" })).not.toThrow();
  });
});
