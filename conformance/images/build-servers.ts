import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { buildRyukImage } from "./ryuk.js";
import { buildCurlImage, buildPostgresImage, buildRedisImage, buildRunnerImage, type ServerImage } from "./servers.js";

/**
 * Builds server images into DIR as docker-archive tars, each reused while
 * what it is made from is unchanged, and prints one line per image.
 * Usage: build-servers.js DIR [redis] [postgres] [runner] [curl] [ryuk] (default redis and postgres)
 */
const dir = resolve(process.argv[2] ?? ".cache/images/servers");
const names = process.argv.length > 3 ? process.argv.slice(3) : ["redis", "postgres"];
mkdirSync(dir, { recursive: true });

const describe = (name: string, image: ServerImage) =>
  `${name} ${image.archive} ${image.tags.join(",")} ${image.id} ${(image.bytes / 1e6).toFixed(1)} MB ` +
  `(debian ${image.version}, built in ${image.buildSeconds.toFixed(1)} s${image.cached ? ", reused" : ""})\n`;

async function build(name: string): Promise<void> {
  if (name === "redis") process.stdout.write(describe(name, await buildRedisImage(dir)));
  else if (name === "postgres") process.stdout.write(describe(name, await buildPostgresImage(dir)));
  else if (name === "runner") process.stdout.write(describe(name, await buildRunnerImage(dir)));
  else if (name === "curl") process.stdout.write(describe(name, await buildCurlImage(dir)));
  else if (name === "ryuk") {
    const ryuk = await buildRyukImage(dir);
    process.stdout.write(`ryuk ${ryuk.archive} ${ryuk.image} ${ryuk.id}\n`);
  } else throw new Error(`unknown image ${name}: redis, postgres, runner, curl or ryuk`);
}

for (const name of names) {
  try {
    await build(name);
  } catch (e) {
    process.stderr.write(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
