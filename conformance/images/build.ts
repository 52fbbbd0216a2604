import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildBusyboxImage } from "./busybox.js";
import { buildWasiImage } from "./wasi.js";

/** Builds every offline test image into DIR as docker-archive tars. Usage: build.js DIR */
const dir = resolve(process.argv[2] ?? ".cache/images");
mkdirSync(dir, { recursive: true });
process.stdout.write(`busybox.tar ${await buildBusyboxImage(join(dir, "busybox.tar"))}\n`);
process.stdout.write(`wasi.tar ${await buildWasiImage(join(dir, "wasi.tar"))}\n`);
