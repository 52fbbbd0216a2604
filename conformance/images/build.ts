import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildBusyboxImage } from "./busybox.js";

/** Builds every offline test image into DIR as docker-archive tars. Usage: build.js DIR */
const dir = resolve(process.argv[2] ?? ".cache/images");
mkdirSync(dir, { recursive: true });
const id = await buildBusyboxImage(join(dir, "busybox.tar"));
process.stdout.write(`busybox.tar ${id}\n`);
