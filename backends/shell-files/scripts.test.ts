import { describe, expect, it } from "vitest";
import { encodeInput, parseStats, unframe } from "./scripts.js";

describe("shell files' scripts", () => {
  it("parses ls -lnd as GNU, busybox and the sandbox print it, with times from find or stat", () => {
    const output = [
      "drwxr-xr-x. 2 0 0 4096 Nov 27 12:11 /srv",
      "-rwsr-x--T+ 1 1000 50 6 Jan  1  2026 /srv/a file",
      "lrwxrwxrwx    1 0        0                6 Nov 27 12:22 /srv/link -> a file",
      "crw-rw-rw- 1 0 0 1, 3 Nov 27 12:11 /srv/null",
      "prw-r--r-- 1 0 0 0 Nov 27 12:11 /srv/fifo",
      "",
      "1795781367.391 /srv",
      "%Y /srv",
      "1000000000 /srv/a file",
    ].join("\n");
    const stats = parseStats(Buffer.from(output));
    expect([...stats.keys()]).toEqual(["/srv", "/srv/a file", "/srv/link", "/srv/fifo"]);
    expect(stats.get("/srv")).toEqual({ type: "dir", mode: 0o755, uid: 0, gid: 0, size: 4096, mtime: 1795781367391 });
    expect(stats.get("/srv/a file")).toEqual({ type: "file", mode: 0o5750, uid: 1000, gid: 50, size: 6, mtime: 1_000_000_000_000 });
    expect(stats.get("/srv/link")).toMatchObject({ type: "symlink", link: "a file", mode: 0o777 });
    expect(stats.get("/srv/fifo")).toMatchObject({ type: "fifo", mode: 0o644 });
  });

  it("tells the names of one file apart by ls -i's inode numbers", () => {
    const stats = parseStats(Buffer.from(["  131 -rw-r--r-- 2 0 0 6 Nov 27 12:11 /srv/a", "  131 -rw-r--r-- 2 0 0 6 Nov 27 12:11 /srv/b", "  132 -rw-r--r-- 1 0 0 6 Nov 27 12:11 /srv/c", "", ""].join("\n")));
    expect(stats.get("/srv/a")?.identity).toBe("inode:131");
    expect(stats.get("/srv/b")?.identity).toBe("inode:131");
    expect(stats.get("/srv/c")?.identity).toBeUndefined();
  });

  it("takes the framed payload out of a terminal's output, echoed input and CR LF included", () => {
    const payload = Buffer.from("out\n0").toString("base64");
    const stdout = Buffer.from(`aGVsbG8K\r\nsockerless-files\r\n${payload}\r\nsockerless-files\r\n`);
    expect(unframe(stdout, 0)).toEqual({ output: Buffer.from("out"), status: 0 });
    expect(() => unframe(Buffer.from("sh: base64: not found\n"), 127)).toThrow(/did not run the script \(exit code 127\): sh: base64: not found/);
  });

  it("decodes a payload larger than its slices, with CR LF line ends", () => {
    const data = Buffer.alloc(9 * 1024 * 1024 + 5);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 256;
    const lines = (Buffer.concat([data, Buffer.from("\n0")]).toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");
    const { output, status } = unframe(Buffer.from(`sockerless-files\r\n${lines}\r\nsockerless-files\r\n`), 0);
    expect(status).toBe(0);
    expect(output.equals(data)).toBe(true);
  });

  it("sends input as base64 lines a terminal's canonical input takes", () => {
    const lines = encodeInput(Buffer.alloc(1000, 7)).toString().split("\n");
    expect(lines.pop()).toBe("");
    expect(Math.max(...lines.map((l) => l.length))).toBe(76);
    expect(Buffer.from(lines.join(""), "base64")).toEqual(Buffer.alloc(1000, 7));
  });
});
