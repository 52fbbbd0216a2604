import { InvalidParameterError, NotImplementedError } from "../errors.js";
import type { BindRoots } from "./bind-roots.js";

const VALID = ["type", "o", "device", "size"];
/** An option that needs others, as moby's local driver requires them. */
const NEEDS: [string, string[]][] = [
  ["device", ["type"]],
  ["type", ["device"]],
  ["o", ["device", "type"]],
];

/** Whether the volume's content is a bind of a host directory (type=none, o=bind). */
export function isBindVolume(options: Record<string, string>): boolean {
  return options.type === "none" && (options.o ?? "").split(",").includes("bind");
}

/** A tmpfs volume: its content is gone when the last container using it stops. */
export function isTmpfsVolume(options: Record<string, string>): boolean {
  return options.type === "tmpfs";
}

/**
 * DriverOpts of the local driver, checked as moby does, then what this
 * daemon can honour: tmpfs, and binds of host directories under a permitted
 * root. Other file system types would need the host's mount(2).
 */
export function checkLocalOptions(options: Record<string, string>, bindRoots: BindRoots): void {
  for (const key of Object.keys(options)) if (!VALID.includes(key)) throw new InvalidParameterError(`invalid option: "${key}"`);
  if ("size" in options) throw new InvalidParameterError("quota size requested but no quota support");
  for (const [key, needs] of NEEDS) {
    if (!(key in options)) continue;
    for (const need of needs) if (!(need in options)) throw new InvalidParameterError(`missing required option: "${need}"`);
  }
  if (Object.keys(options).length === 0 || isTmpfsVolume(options)) return;
  if (isBindVolume(options)) {
    bindRoots.check(options.device, "volume device");
    return;
  }
  throw new NotImplementedError(`local volumes of type "${options.type}" (o=${options.o ?? ""}) are not supported by sockerless: it mounts nothing on the host; tmpfs and bind (type=none, o=bind) volumes are`);
}
