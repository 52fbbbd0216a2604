import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeDockerArchive, type LayerEntry } from "./docker-archive.js";

export const BUSYBOX_IMAGE = "sockerless-test/busybox:latest";

/**
 * A root file system made of Debian's busybox-static: the binary, a symlink
 * per applet where busybox installs it, and the few files in /etc that
 * programs and `docker exec -u` expect.
 */
export async function buildBusyboxImage(out: string, busybox = "/bin/busybox"): Promise<string> {
  const applets = execFileSync(busybox, ["--list-full"], { encoding: "utf8" }).split("\n").filter(Boolean);
  const entries: LayerEntry[] = [
    ...["bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root", "home", "var", "dev", "proc", "sys"].map((path) => ({ type: "dir" as const, path })),
    { type: "dir", path: "tmp", mode: 0o1777 },
    { type: "file", path: "bin/busybox", data: readFileSync(busybox), mode: 0o755 },
    { type: "file", path: "etc/passwd", data: Buffer.from("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n") },
    { type: "file", path: "etc/group", data: Buffer.from("root:x:0:\nnogroup:x:65534:\n") },
  ];
  for (const applet of applets) {
    if (applet === "bin/busybox") continue;
    const depth = applet.split("/").length - 1;
    entries.push({ type: "symlink", path: applet, target: "../".repeat(depth) + "bin/busybox" });
  }
  return writeDockerArchive(
    {
      repoTag: BUSYBOX_IMAGE,
      entries,
      config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"] },
      comment: "busybox-static root file system",
    },
    out,
  );
}
