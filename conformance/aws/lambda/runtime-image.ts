import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createReadStream } from "node:fs";
import tar from "tar-stream";
import { packageRoot } from "../../../engine/package-info.js";
import { buildBusyboxImage } from "../../images/busybox.js";
import { writeDockerArchive, type LayerEntry } from "../../images/docker-archive.js";

export const LAMBDA_RUNTIME_IMAGE = "sockerless-test/lambda-shell-runtime:latest";

const sources = join(packageRoot, "conformance", "aws", "lambda");

/** Every member of a tar archive, by name. */
async function readTar(input: NodeJS.ReadableStream | Buffer): Promise<{ header: tar.Header; data: Buffer }[]> {
  const extract = tar.extract();
  const members: { header: tar.Header; data: Buffer }[] = [];
  extract.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c) => chunks.push(c as Buffer));
    stream.on("end", () => {
      members.push({ header, data: Buffer.concat(chunks) });
      next();
    });
  });
  await pipeline(Buffer.isBuffer(input) ? [input] : input, extract);
  return members;
}

/**
 * The file system of the base image, as entries of a new layer: the busybox
 * test image, or the one-layer docker archive CONFORMANCE_LAMBDA_BASE names
 * (one with a real curl, for backends that run Linux binaries). Hard links
 * become copies.
 */
async function baseEntries(scratch: string): Promise<LayerEntry[]> {
  let archive = process.env.CONFORMANCE_LAMBDA_BASE;
  if (!archive) {
    archive = join(scratch, "busybox.tar");
    await buildBusyboxImage(archive);
  }
  const archiveMembers = await readTar(createReadStream(archive));
  const manifest = JSON.parse(archiveMembers.find((m) => m.header.name === "manifest.json")!.data.toString()) as { Layers: string[] }[];
  if (manifest[0].Layers.length !== 1) throw new Error(`${archive}: a Lambda base image must have one layer`);
  const layer = archiveMembers.find((m) => m.header.name === manifest[0].Layers[0])!.data;
  const files = new Map<string, Buffer>();
  const members = (await readTar(layer)).filter(({ header }) => header.name.replace(/^\.?\/?/, "") !== "");
  return members.map(({ header, data }): LayerEntry => {
    const path = header.name.replace(/^\.\//, "").replace(/\/$/, "");
    if (header.type === "directory") return { type: "dir", path, mode: header.mode };
    if (header.type === "symlink") return { type: "symlink", path, target: header.linkname! };
    const content = header.type === "link" ? (files.get(header.linkname!.replace(/^\.\//, "")) ?? Buffer.alloc(0)) : data;
    files.set(path, content);
    return { type: "file", path, data: content, mode: header.mode };
  });
}

/**
 * A container image with a custom Lambda runtime: the base image (busybox
 * unless CONFORMANCE_LAMBDA_BASE names another) plus a shell bootstrap in /var/runtime that polls the Runtime API with
 * curl, and the test function's handler script in /var/task.
 */
export async function buildLambdaRuntimeImage(out: string): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), "lambda-image-"));
  try {
    const entries = await baseEntries(scratch);
    entries.push(
      { type: "dir", path: "var/runtime" },
      { type: "dir", path: "var/task" },
      { type: "file", path: "var/runtime/bootstrap", data: readFileSync(join(sources, "bootstrap")), mode: 0o755 },
      { type: "file", path: "var/task/function.sh", data: readFileSync(join(sources, "function.sh")), mode: 0o644 },
    );
    // The sandbox runs curl for a program named curl; busybox has none of its own.
    if (!entries.some((e) => e.path === "usr/bin/curl")) entries.push({ type: "symlink", path: "usr/bin/curl", target: "../../bin/busybox" });
    return await writeDockerArchive(
      {
        repoTag: LAMBDA_RUNTIME_IMAGE,
        entries,
        config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Entrypoint: ["/var/runtime/bootstrap"], Cmd: ["function.handler"], WorkingDir: "/var/task" },
        comment: "busybox with a shell custom runtime for Lambda",
      },
      out,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
