import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../engine/package-info.js";
import { writeDockerArchive } from "./docker-archive.js";

export const WASI_IMAGE = "sockerless-test/wasi:latest";

/**
 * An image whose entrypoint is the project's own WASI program
 * (conformance/images/wasi/hello.c), compiled with Debian's clang and wasi-libc.
 */
export async function buildWasiImage(out: string): Promise<string> {
  const dir = mkdtempSync(join(os.tmpdir(), "sockerless-wasi-"));
  try {
    const wasm = join(dir, "hello.wasm");
    execFileSync("clang-14", ["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-s", "-o", wasm, join(packageRoot, "conformance", "images", "wasi", "hello.c")]);
    return await writeDockerArchive(
      {
        repoTag: WASI_IMAGE,
        entries: [
          { type: "dir", path: "etc" },
          { type: "dir", path: "tmp", mode: 0o1777 },
          { type: "file", path: "etc/passwd", data: Buffer.from("root:x:0:0:root:/root:/bin/sh\n") },
          { type: "file", path: "hello.wasm", data: readFileSync(wasm), mode: 0o755 },
        ],
        config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Entrypoint: ["/hello.wasm"] },
        comment: "a WASI program of the project's own",
      },
      out,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
