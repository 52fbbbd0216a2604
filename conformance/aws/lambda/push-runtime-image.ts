import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pushTestImage } from "../images.js";
import { buildLambdaRuntimeImage } from "./runtime-image.js";

/**
 * Builds the shell custom-runtime image and pushes it to the simulator's ECR
 * at AWS_ENDPOINT_URL as REPOSITORY:TAG; prints the image URI. For the aws
 * CLI checks, which cannot push an image themselves.
 */
const [repository, tag] = process.argv.slice(2);
if (!repository || !tag) throw new Error("usage: push-runtime-image REPOSITORY TAG");
const endpoint = process.env.AWS_ENDPOINT_URL;
if (!endpoint) throw new Error("AWS_ENDPOINT_URL names no simulator");
const dir = mkdtempSync(join(tmpdir(), "lambda-runtime-image-"));
try {
  const archive = join(dir, "runtime.tar");
  await buildLambdaRuntimeImage(archive);
  const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test", secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "test" };
  process.stdout.write(`${await pushTestImage({ endpoint, region: process.env.AWS_REGION ?? "us-east-1", credentials }, repository, tag, archive)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
