import { pushTestImage } from "./images.js";

/**
 * Pushes the busybox test image to the simulator's ECR at AWS_ENDPOINT_URL
 * as REPOSITORY:TAG, as a developer's engine would; prints the image URI.
 * For the aws CLI checks, which cannot push an image themselves.
 */
const [repository, tag] = process.argv.slice(2);
if (!repository || !tag) throw new Error("usage: push-test-image REPOSITORY TAG");
const endpoint = process.env.AWS_ENDPOINT_URL;
if (!endpoint) throw new Error("AWS_ENDPOINT_URL names no simulator");
const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test", secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "test" };
process.stdout.write(`${await pushTestImage({ endpoint, region: process.env.AWS_REGION ?? "us-east-1", credentials }, repository, tag)}\n`);
