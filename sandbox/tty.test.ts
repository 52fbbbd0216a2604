import { describe, expect, it } from "vitest";
import { ttyInput } from "./tty.js";

describe("TTY input", () => {
  it("turns carriage returns into newlines and echoes what is typed", () => {
    expect(ttyInput(Buffer.from("ls\r"))).toEqual({ deliver: Buffer.from("ls\n"), echo: Buffer.from("ls\n"), eof: false });
  });

  it("echoes control characters as ^X", () => {
    expect(ttyInput(Buffer.from("a\x01")).echo.toString()).toBe("a^A");
  });

  it("turns ctrl-C into SIGINT and ctrl-D into the end of input", () => {
    expect(ttyInput(Buffer.from("ab\x03cd"))).toEqual({ deliver: Buffer.from("ab"), echo: Buffer.from("ab^C"), signal: "SIGINT", eof: false });
    expect(ttyInput(Buffer.from("x\x04"))).toEqual({ deliver: Buffer.from("x"), echo: Buffer.from("x"), eof: true });
  });
});
