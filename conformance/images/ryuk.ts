import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { writeDockerArchive } from "./docker-archive.js";

const MODULE = "github.com/testcontainers/moby-ryuk";

/** The reaper image the installed npm `testcontainers` starts, e.g. "testcontainers/ryuk:0.14.0". */
export function expectedRyukImage(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve("testcontainers/package.json"));
  const source = readFileSync(join(pkgDir, "build", "reaper", "reaper.js"), "utf8");
  const found = /"(testcontainers\/ryuk:[^"]+)"/.exec(source);
  if (!found) throw new Error(`no testcontainers/ryuk image name in ${pkgDir}/build/reaper/reaper.js`);
  return found[1];
}

/**
 * Builds the reaper from its Go module at the version the image tag names,
 * static (CGO_ENABLED=0), into DIR. RYUK_BINARY names a reaper binary built
 * elsewhere to package instead. Throws with the Go tool's own message when
 * the module proxy does not serve that version.
 */
function ryukBinary(version: string, dir: string): string {
  if (process.env.RYUK_BINARY) return process.env.RYUK_BINARY;
  const bin = join(dir, "ryuk-bin");
  const binary = join(bin, "moby-ryuk");
  if (existsSync(binary)) return binary;
  mkdirSync(bin, { recursive: true });
  try {
    execFileSync("go", ["install", "-trimpath", "-ldflags=-s -w", `${MODULE}@v${version}`], {
      env: { ...process.env, GOBIN: bin, CGO_ENABLED: "0", GOFLAGS: "-mod=mod" },
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new Error(`go install ${MODULE}@v${version} failed: ${stderr.trim()}`);
  }
  return binary;
}

/**
 * The reaper image under the exact name testcontainers asks for: the static
 * binary alone, as /bin/ryuk, the image's entrypoint. Returns the image name.
 */
export async function buildRyukImage(dir: string): Promise<{ archive: string; image: string; id: string }> {
  const image = expectedRyukImage();
  const version = image.split(":")[1];
  const archive = join(dir, "ryuk.tar");
  const binary = ryukBinary(version, dir);
  rmSync(archive, { force: true });
  const id = await writeDockerArchive(
    {
      repoTag: image,
      entries: [
        { type: "dir", path: "bin" },
        { type: "dir", path: "tmp", mode: 0o1777 },
        { type: "file", path: "bin/ryuk", data: readFileSync(binary), mode: 0o755 },
      ],
      config: { Entrypoint: ["/bin/ryuk"], Labels: { "sockerless.test.source": `${MODULE}@v${version}` } },
      comment: `${MODULE} v${version}, built with CGO_ENABLED=0`,
    },
    archive,
  );
  return { archive, image, id };
}
