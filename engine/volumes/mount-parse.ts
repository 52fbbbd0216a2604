import { posix } from "node:path";
import { InvalidParameterError } from "../errors.js";

/** One entry of HostConfig.Mounts as clients send it. */
export interface MountRequest {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; CreateMountpoint?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } | null; Subpath?: string } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] } | null;
}

/** A mount point as moby's parser yields it, before volumes are looked up or created. */
export interface ParsedMount {
  type: "bind" | "volume" | "tmpfs";
  /** Volume name; "" for an anonymous volume. */
  name: string;
  /** Host path of a bind. */
  source: string;
  destination: string;
  mode: string;
  rw: boolean;
  propagation: string;
  copyData: boolean;
  /** Where it came from; Binds with a relative source name volumes. */
  spec: MountRequest;
  /** Options of a volume created for this mount. */
  volumeOptions?: MountRequest["VolumeOptions"];
  tmpfs?: { sizeBytes: number; mode: number };
}

const RW_MODES = ["rw", "ro"];
const LABEL_MODES = ["z", "Z"];
const PROPAGATION = ["private", "rprivate", "slave", "rslave", "shared", "rshared"];
const COPY_MODES = ["nocopy"];
const CONSISTENCY = ["consistent", "cached", "delegated"];
const DEFAULT_PROPAGATION = "rprivate";

/** moby's linuxValidMountMode: known words, at most one of each kind. */
function validMode(mode: string): boolean {
  if (mode === "") return true;
  const counts = [0, 0, 0, 0, 0];
  for (const o of mode.split(",")) {
    const kind = [RW_MODES, LABEL_MODES, PROPAGATION, COPY_MODES, CONSISTENCY].findIndex((k) => k.includes(o));
    if (kind < 0) return false;
    counts[kind]++;
  }
  return counts.every((n) => n <= 1);
}

const mountConfigError = (m: MountRequest, message: string) => new InvalidParameterError(`invalid mount config for type "${m.Type ?? ""}": ${message}`);

function checkTarget(m: MountRequest): void {
  const target = m.Target ?? "";
  if (target === "") throw mountConfigError(m, "field Target must not be empty");
  if (posix.normalize(target.replaceAll("\\", "/")).replace(/(.)\/$/, "$1") === "/") throw mountConfigError(m, "invalid specification: destination can't be '/'");
  if (!target.replaceAll("\\", "/").startsWith("/")) throw mountConfigError(m, `invalid mount path: '${target}' mount path must be absolute`);
}

/** Tmpfs options as moby's ConvertTmpfsOptions accepts them. */
function checkTmpfsOptions(m: MountRequest): void {
  for (const opt of m.TmpfsOptions?.Options ?? []) {
    if (opt.length < 1 || opt.length > 2) throw mountConfigError(m, "invalid option array length");
    if (!["exec", "noexec"].includes(opt[0])) throw mountConfigError(m, `invalid option: ${opt[0]}`);
  }
}

/** One HostConfig.Mounts entry, validated as moby's ValidateMountConfig (the bind source's existence is the caller's, under the bind roots). */
export function parseMountSpec(m: MountRequest): ParsedMount {
  checkTarget(m);
  const base = { name: "", source: "", destination: posix.normalize(m.Target!).replace(/(.)\/$/, "$1"), mode: "", rw: !m.ReadOnly, propagation: "", copyData: true, spec: m };
  switch (m.Type) {
    case "bind": {
      if (!m.Source) throw mountConfigError(m, "field Source must not be empty");
      const propagation = m.BindOptions?.Propagation;
      if (propagation && !PROPAGATION.includes(propagation)) throw mountConfigError(m, `invalid propagation mode: ${propagation}`);
      if (m.VolumeOptions) throw mountConfigError(m, "field VolumeOptions must not be specified");
      if (!m.Source.startsWith("/")) throw mountConfigError(m, `invalid mount path: '${m.Source}' mount path must be absolute`);
      return { ...base, type: "bind", source: posix.normalize(m.Source), propagation: propagation || DEFAULT_PROPAGATION };
    }
    case "volume": {
      if (m.BindOptions) throw mountConfigError(m, "field BindOptions must not be specified");
      const anonymous = !m.Source;
      if (m.VolumeOptions?.Subpath) throw mountConfigError(m, "volume subpaths are not supported by sockerless");
      if (m.ReadOnly && anonymous) throw mountConfigError(m, "must not set ReadOnly mode when using anonymous volumes");
      // dockerd reports volumes of the Mounts API with the SELinux relabel mode.
      return { ...base, type: "volume", name: m.Source ?? "", mode: "z", copyData: !m.VolumeOptions?.NoCopy, volumeOptions: m.VolumeOptions };
    }
    case "tmpfs": {
      if (m.BindOptions) throw mountConfigError(m, "field BindOptions must not be specified");
      if (m.Source) throw mountConfigError(m, "field Source must not be specified");
      checkTmpfsOptions(m);
      return { ...base, type: "tmpfs", tmpfs: { sizeBytes: m.TmpfsOptions?.SizeBytes ?? 0, mode: m.TmpfsOptions?.Mode ?? 0 } };
    }
    case "image":
      throw new InvalidParameterError('invalid mount config for type "image": image mounts are not supported by sockerless');
    default:
      throw mountConfigError(m, "mount type unknown");
  }
}

/** One HostConfig.Binds entry ("name:/path[:mode]", "/host:/path[:mode]"), as moby's ParseMountRaw. */
export function parseBind(raw: string): ParsedMount {
  const invalid = `invalid volume specification: '${raw}'`;
  const parts = raw.split(":");
  const arr = parts.length > 4 ? [...parts.slice(0, 3), parts.slice(3).join(":")] : parts;
  if (arr[0] === "") throw new InvalidParameterError(invalid);
  const spec: MountRequest = {};
  let mode = "";
  switch (arr.length) {
    case 1:
      spec.Target = arr[0];
      break;
    case 2:
      if (validMode(arr[1])) throw new InvalidParameterError(invalid);
      [spec.Source, spec.Target] = arr;
      break;
    case 3:
      [spec.Source, spec.Target, mode] = arr;
      break;
    default:
      throw new InvalidParameterError(invalid);
  }
  if (!validMode(mode)) throw new InvalidParameterError(`invalid mode: ${mode}`);
  const words = mode.split(",");
  spec.Type = spec.Source?.startsWith("/") ? "bind" : "volume";
  spec.ReadOnly = words.includes("ro");
  if (words.includes("nocopy")) spec.VolumeOptions = { NoCopy: true };
  const propagation = words.find((w) => PROPAGATION.includes(w));
  if (propagation) spec.BindOptions = { Propagation: propagation };
  try {
    const parsed = parseMountSpec(spec);
    return { ...parsed, mode, spec: { ...spec, Type: spec.Type } };
  } catch (err) {
    throw new InvalidParameterError(`${invalid}: ${(err as Error).message}`);
  }
}

/** HostConfig.Tmpfs: {"/run": "size=64m"}. */
export function parseTmpfs(destination: string, options: string): ParsedMount {
  const spec: MountRequest = { Type: "tmpfs", Target: destination };
  try {
    checkTarget(spec);
  } catch (err) {
    throw new InvalidParameterError((err as Error).message.replace(/^invalid mount config for type "tmpfs": /, ""));
  }
  let sizeBytes = 0;
  let mode = 0;
  for (const o of options.split(",").filter(Boolean)) {
    const [key, value = ""] = o.split("=");
    if (key === "size") sizeBytes = parseSize(value);
    if (key === "mode") mode = parseInt(value, 8);
  }
  return { type: "tmpfs", name: "", source: "", destination: posix.normalize(destination), mode: options, rw: !options.split(",").includes("ro"), propagation: "", copyData: false, spec, tmpfs: { sizeBytes, mode } };
}

function parseSize(value: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(value);
  if (!m) throw new InvalidParameterError(`invalid tmpfs size: ${value}`);
  return Number(m[1]) * { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as "" | "k" | "m" | "g"];
}
