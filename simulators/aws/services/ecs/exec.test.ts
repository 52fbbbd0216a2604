import { describe, expect, it } from "vitest";
import { argvOf } from "./exec.js";

describe("ExecuteCommand's command line", () => {
  it("splits words as a shell does, keeping quoted and escaped spaces", () => {
    expect(argvOf("/bin/sh")).toEqual(["/bin/sh"]);
    expect(argvOf("  ls   -la /tmp ")).toEqual(["ls", "-la", "/tmp"]);
    expect(argvOf(`sh -c 'echo "hi there"; exit 3'`)).toEqual(["sh", "-c", 'echo "hi there"; exit 3']);
    expect(argvOf(`echo "a \\"quoted\\" word" b\\ c ''`)).toEqual(["echo", 'a "quoted" word', "b c", ""]);
  });

  it("refuses an unterminated quote", () => {
    expect(() => argvOf("echo 'oops")).toThrow(/unterminated quote/);
  });
});
