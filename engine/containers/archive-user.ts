import type { ContainerFiles } from "../../backends/backend.js";
import { InvalidParameterError } from "../errors.js";

async function entries(files: ContainerFiles, path: string): Promise<string[][]> {
  try {
    return (await files.read(path)).toString("utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(":"));
  } catch {
    return [];
  }
}

const numeric = (s: string) => /^\d+$/.test(s) && Number(s) <= 2 ** 31 - 1;

/**
 * The owner docker cp -a gives copied files: the container's User looked up
 * in the container's own /etc/passwd and /etc/group, as dockerd does (a
 * numeric user missing from passwd keeps its number with group 0).
 */
export async function containerUser(files: ContainerFiles, user: string): Promise<{ uid: number; gid: number }> {
  const [name, group] = user.split(":", 2) as [string, string | undefined];
  let uid = 0;
  let gid = 0;
  if (name) {
    const passwd = await entries(files, "/etc/passwd");
    const row = numeric(name) ? passwd.find((r) => r[2] === name) : passwd.find((r) => r[0] === name);
    if (row) {
      uid = Number(row[2]);
      gid = Number(row[3]);
    } else if (numeric(name)) {
      uid = Number(name);
    } else {
      throw new InvalidParameterError(`failed to look up user "${name}" in container: no matching entries in passwd file`);
    }
  }
  if (group) {
    if (numeric(group)) gid = Number(group);
    else {
      const row = (await entries(files, "/etc/group")).find((r) => r[0] === group);
      if (!row) throw new InvalidParameterError(`failed to look up group "${group}" in container: no matching entries in group file`);
      gid = Number(row[2]);
    }
  }
  return { uid, gid };
}
