import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { packageRoot } from "../../engine/package-info.js";
import { debootstrap, ensureDebootstrap, installedVersion, packRoot, removeRoot, slimRoot } from "./debian-root.js";
import { writeLayerArchive, type ImageConfig } from "./layer-archive.js";

export const REDIS_IMAGE = "sockerless-test/redis:7";
export const POSTGRES_IMAGE = "sockerless-test/postgres:15";
export const RUNNER_IMAGE = "sockerless-test/runner:latest";
export const CURL_IMAGE = "sockerless-test/curl:latest";

const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const sourceDir = join(packageRoot, "conformance", "images");

/** What a build produced, kept beside the archive so a cached build answers instantly. */
export interface ServerImage {
  archive: string;
  id: string;
  tags: string[];
  /** The Debian package version the image runs. */
  version: string;
  bytes: number;
  buildSeconds: number;
  /** True when the archive of an earlier build was reused. */
  cached: boolean;
}

interface ServerRecipe {
  name: string;
  packages: string[];
  /** The package whose version names the image. */
  versionOf: string;
  tags: (version: string) => string[];
  /** Adds the image's own files and removes what it does not need, before slimming. */
  prepare: (root: string) => void;
  config: ImageConfig;
  comment: string;
}

/** The upstream version inside a Debian version: "5:7.0.15-1~deb12u7" → "7.0.15". */
const upstream = (version: string) => version.replace(/^\d+:/, "").replace(/-[^-]*$/, "").replace(/[+~].*$/, "");

const redis: ServerRecipe = {
  name: "redis",
  packages: ["redis-server"],
  versionOf: "redis-server",
  tags: (v) => [REDIS_IMAGE, `sockerless-test/redis:${upstream(v)}`],
  prepare: (root) => mkdirSync(join(root, "data"), { recursive: true }),
  config: {
    Env: [`PATH=${PATH}`],
    Cmd: ["redis-server", "--protected-mode", "no", "--bind", "0.0.0.0"],
    WorkingDir: "/data",
    ExposedPorts: { "6379/tcp": {} },
  },
  comment: "debootstrap --variant=minbase --include=redis-server bookworm",
};

const postgres: ServerRecipe = {
  name: "postgres",
  packages: ["postgresql-15"],
  versionOf: "postgresql-15",
  tags: (v) => [POSTGRES_IMAGE, `sockerless-test/postgres:${upstream(v)}`],
  prepare: (root) => {
    // The package's own cluster and its configuration; the entrypoint makes a fresh one in $PGDATA.
    rmSync(join(root, "var/lib/postgresql/15"), { recursive: true, force: true });
    rmSync(join(root, "etc/postgresql/15"), { recursive: true, force: true });
    // LLVM (the JIT compiler, over a third of the root) is optional: without it the server runs without JIT.
    execFileSync("chroot", [root, "dpkg", "--purge", "--force-depends", "libllvm14", "libz3-4"], { stdio: "pipe" });
    for (const jit of ["llvmjit.so", "llvmjit_types.bc", "bitcode"]) rmSync(join(root, "usr/lib/postgresql/15/lib", jit), { recursive: true, force: true });
    const entrypoint = join(root, "usr/local/bin/docker-entrypoint.sh");
    copyFileSync(join(sourceDir, "postgres-entrypoint.sh"), entrypoint);
    chmodSync(entrypoint, 0o755);
    mkdirSync(join(root, "docker-entrypoint-initdb.d"), { recursive: true });
  },
  config: {
    Env: [`PATH=/usr/lib/postgresql/15/bin:${PATH}`, "LANG=C.UTF-8", "PGDATA=/var/lib/postgresql/data"],
    Entrypoint: ["docker-entrypoint.sh"],
    Cmd: ["postgres"],
    ExposedPorts: { "5432/tcp": {} },
    StopSignal: "SIGINT",
  },
  comment: "debootstrap --variant=minbase --include=postgresql-15 bookworm, with an entrypoint of the project's own",
};

/**
 * A CI job container for act: bash and coreutils (act's `tail -f /dev/null`,
 * `id`, `chown` and `run:` steps) from minbase, plus Node.js (`node`, which
 * runs JavaScript actions) from Debian's nodejs, without npm.
 */
const runner: ServerRecipe = {
  name: "runner",
  packages: ["nodejs"],
  versionOf: "nodejs",
  tags: (v) => [RUNNER_IMAGE, `sockerless-test/runner:node-${upstream(v)}`],
  prepare: () => undefined,
  config: {
    Env: [`PATH=${PATH}`, "LANG=C.UTF-8"],
    Cmd: ["bash"],
  },
  comment: "debootstrap --variant=minbase --include=nodejs bookworm",
};

/** A shell and Debian's curl: the base of a Lambda custom runtime that runs as real Linux processes (the docker backend). */
const curl: ServerRecipe = {
  name: "curl",
  packages: ["curl"],
  versionOf: "curl",
  tags: (v) => [CURL_IMAGE, `sockerless-test/curl:${upstream(v)}`],
  prepare: () => undefined,
  config: {
    Env: [`PATH=${PATH}`, "LANG=C.UTF-8"],
    Cmd: ["sh"],
  },
  comment: "debootstrap --variant=minbase --include=curl bookworm",
};

/** Everything an image is made from; a change to any of these rebuilds it. */
function recipeKey(recipe: ServerRecipe): string {
  const hash = createHash("sha256").update(recipe.name);
  for (const file of ["servers.ts", "debian-root.ts", "layer-archive.ts", "postgres-entrypoint.sh"]) hash.update(readFileSync(join(sourceDir, file)));
  return hash.digest("hex");
}

async function buildServerImage(recipe: ServerRecipe, dir: string): Promise<ServerImage> {
  mkdirSync(dir, { recursive: true });
  const archive = join(dir, `${recipe.name}.tar`);
  const record = join(dir, `${recipe.name}.json`);
  const key = recipeKey(recipe);
  if (existsSync(archive) && existsSync(record)) {
    const cached = JSON.parse(readFileSync(record, "utf8")) as ServerImage & { key: string };
    if (cached.key === key) return { ...cached, cached: true };
  }
  const started = Date.now();
  ensureDebootstrap();
  const root = join(dir, `${recipe.name}.root`);
  const layer = join(dir, `${recipe.name}.layer.tar`);
  removeRoot(root);
  rmSync(archive, { force: true });
  rmSync(record, { force: true });
  try {
    debootstrap(root, recipe.packages, join(dir, "debs"));
    const version = installedVersion(root, recipe.versionOf);
    recipe.prepare(root);
    slimRoot(root);
    packRoot(root, layer);
    const tags = recipe.tags(version);
    const id = await writeLayerArchive(layer, { repoTags: tags, config: recipe.config, comment: recipe.comment }, archive);
    const image: ServerImage = { archive, id, tags, version, bytes: statSync(layer).size, buildSeconds: (Date.now() - started) / 1000, cached: false };
    writeFileSync(record, JSON.stringify({ ...image, key }, null, 2) + "\n");
    return image;
  } finally {
    removeRoot(root);
    rmSync(layer, { force: true });
  }
}

/** Redis from Debian bookworm's redis-server, serving in the foreground on every address. */
export const buildRedisImage = (dir: string) => buildServerImage(redis, dir);

/** PostgreSQL from Debian bookworm's postgresql-15, configured on first start like the official image. */
export const buildPostgresImage = (dir: string) => buildServerImage(postgres, dir);

/** A job container for act (nektos/act): bash, coreutils and Debian bookworm's Node.js. */
export const buildRunnerImage = (dir: string) => buildServerImage(runner, dir);

/** A shell, coreutils and Debian bookworm's curl. */
export const buildCurlImage = (dir: string) => buildServerImage(curl, dir);
