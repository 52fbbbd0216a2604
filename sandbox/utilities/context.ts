import type { IFileSystem } from "just-bash";
import type { ExternalCommand } from "../shell/types.js";

/** A utility invocation: the command as the shell gave it, plus the container's file system. */
export interface UtilityCall extends ExternalCommand {
  fs: IFileSystem;
}

export type Utility = (call: UtilityCall) => Promise<number>;

/** Writes "name: message" to stderr, as utilities report errors. */
export async function complain(call: UtilityCall, message: string): Promise<void> {
  await call.stderr.write(`${call.argv[0]}: ${message}\n`);
}

/** Resolves a path argument against the command's working directory. */
export function pathArg(call: UtilityCall, p: string): string {
  return call.fs.resolvePath(call.cwd, p);
}
