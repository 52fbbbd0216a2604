import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Debian's own mirror, which these machines reach; DEBIAN_MIRROR overrides it. */
const MIRROR = process.env.DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
const SUITE = "bookworm";

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

/** Installs Debian's debootstrap when it is missing (these builds run as root, as CI does). */
export function ensureDebootstrap(): void {
  if (spawnSync("debootstrap", ["--version"], { stdio: "ignore" }).status === 0) return;
  const apt = (args: string[]) => execFileSync("apt-get", args, { stdio: "pipe", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  // A machine that never ran apt-get update has no package lists yet.
  if (spawnSync("apt-get", ["install", "-y", "-q", "debootstrap"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0) return;
  apt(["update", "-q"]);
  apt(["install", "-y", "-q", "debootstrap"]);
}

/** Unmounts whatever a failed debootstrap left mounted under ROOT, deepest first. */
function unmountUnder(root: string): void {
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((point) => point === root || point.startsWith(root + "/"))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) run("umount", ["-l", point]);
}

/** Removes a root file system, never crossing into a mount left inside it. */
export function removeRoot(root: string): void {
  unmountUnder(root);
  run("rm", ["-rf", "--one-file-system", root]);
}

/**
 * A minbase bookworm root with PACKAGES (and what they depend on) installed.
 * Downloaded packages are kept in CACHE, so a rebuild fetches only what changed.
 */
export function debootstrap(root: string, packages: string[], cache: string): void {
  mkdirSync(cache, { recursive: true });
  try {
    run("debootstrap", ["--variant=minbase", `--include=${packages.join(",")}`, `--cache-dir=${cache}`, SUITE, root, MIRROR]);
  } catch (err) {
    unmountUnder(root);
    throw err;
  }
}

/** The installed version of a package in ROOT, e.g. "5:7.0.15-1~deb12u7". */
export function installedVersion(root: string, pkg: string): string {
  return run("chroot", [root, "dpkg-query", "-W", "-f=${Version}", pkg]).trim();
}

/**
 * Drops what a container never reads: package lists and caches, docs, man and
 * info pages, translations, logs, device nodes (the engine provides /dev), and
 * the build machine's hostname and resolver (the engine provides those too).
 */
export function slimRoot(root: string, also: string[] = []): void {
  const contentsOf = ["var/cache/apt", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "var/log", "dev", "tmp", "run", "var/tmp"];
  for (const dir of contentsOf) run("find", [join(root, dir), "-mindepth", "1", "-delete"]);
  for (const path of also) run("rm", ["-rf", "--one-file-system", join(root, path)]);
  run("find", [join(root, "var/cache/debconf"), "-name", "*-old", "-delete"]);
  writeFileSync(join(root, "etc/hostname"), "");
  writeFileSync(join(root, "etc/resolv.conf"), "");
}

/**
 * Packs ROOT as one image layer: entries sorted, owners numeric (the image's
 * own users, not the build machine's names), one fixed modification time.
 */
export function packRoot(root: string, layer: string): void {
  const top = execFileSync("ls", ["-A", root], { encoding: "utf8" }).split("\n").filter(Boolean);
  run("tar", [
    "--create",
    `--file=${layer}`,
    `--directory=${root}`,
    "--sort=name",
    "--numeric-owner",
    "--format=pax",
    "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
    "--mtime=2026-01-01 00:00:00Z",
    ...top,
  ]);
}
