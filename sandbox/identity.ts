import type { IFileSystem } from "just-bash";

/** Who a process runs as, resolved as Docker resolves Config.User against the image's /etc/passwd and /etc/group. */
export interface Identity {
  uid: number;
  gid: number;
  /** Empty when the uid has no passwd entry. */
  name: string;
  group: string;
  /** Supplementary groups, from /etc/group membership. */
  groups: { gid: number; name: string }[];
  home: string;
}

export const ROOT: Identity = { uid: 0, gid: 0, name: "root", group: "root", groups: [], home: "/root" };

interface Entry {
  name: string;
  id: number;
  fields: string[];
}

async function table(fs: IFileSystem, path: string): Promise<Entry[]> {
  const text = await fs.readFile(path).catch(() => "");
  return text
    .split("\n")
    .map((line) => line.split(":"))
    .filter((f) => f.length >= 3 && /^\d+$/.test(f[2]))
    .map((f) => ({ name: f[0], id: Number(f[2]), fields: f }));
}

/**
 * "user", "uid", "user:group" or "uid:gid". A name that is in neither file
 * fails as runc fails (Docker reports it at start); a number that is not
 * there is used as it is. `additional` (HostConfig.GroupAdd) joins the
 * supplementary groups, names looked up in /etc/group.
 */
export async function resolveIdentity(fs: IFileSystem, spec: string, additional: string[] = []): Promise<Identity> {
  if ((spec === "" || spec === "root" || spec === "0") && additional.length === 0) return ROOT;
  const [userPart, groupPart] = (spec || "0").split(":", 2);
  const passwd = await table(fs, "/etc/passwd");
  const groups = await table(fs, "/etc/group");
  const user = /^\d+$/.test(userPart) ? passwd.find((e) => e.id === Number(userPart)) : passwd.find((e) => e.name === userPart);
  if (!user && !/^\d+$/.test(userPart)) throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
  const uid = user?.id ?? Number(userPart);
  let gid = user ? Number(user.fields[3] ?? 0) : 0;
  if (groupPart !== undefined) {
    const g = /^\d+$/.test(groupPart) ? groups.find((e) => e.id === Number(groupPart)) : groups.find((e) => e.name === groupPart);
    if (!g && !/^\d+$/.test(groupPart)) throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
    gid = g?.id ?? Number(groupPart);
  }
  const name = user?.name ?? "";
  const supplementary = name ? groups.filter((g) => (g.fields[3] ?? "").split(",").includes(name) && g.id !== gid).map((g) => ({ gid: g.id, name: g.name })) : [];
  for (const added of additional) {
    const g = /^\d+$/.test(added) ? groups.find((e) => e.id === Number(added)) : groups.find((e) => e.name === added);
    if (!g && !/^\d+$/.test(added)) throw new Error(`Unable to find group ${added}: no matching entries in group file`);
    const extra = { gid: g?.id ?? Number(added), name: g?.name ?? "" };
    if (!supplementary.some((s) => s.gid === extra.gid)) supplementary.push(extra);
  }
  return { uid, gid, name, group: groups.find((g) => g.id === gid)?.name ?? "", groups: supplementary, home: user?.fields[5] || "/" };
}
