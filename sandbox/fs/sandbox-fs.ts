import type { IFileSystem } from "just-bash";
import type { InitMount } from "../worker/protocol.js";
import type { ContainerFs } from "./container-fs.js";
import { HostDir } from "./host-dir.js";
import { copyImageContent, createMountPoints, MountedFs } from "./mounted-fs.js";

/** What processes and file operations of a container use: its own file system, or that with mounts over it. */
export type SandboxFs = IFileSystem &
  Pick<ContainerFs, "readFileBuffer" | "statFull" | "lstatFull" | "chown" | "statSync" | "lstatSync" | "readdirSync" | "readFileSync" | "flush">;

/** The container's file system as its processes see it: mount points made, empty volumes filled from the image, mounts over it. */
export async function openMounted(root: ContainerFs, mounts: InitMount[]): Promise<SandboxFs> {
  if (mounts.length === 0) return root;
  await createMountPoints(
    root,
    mounts.map((m) => m.destination),
  );
  const fsMounts = [];
  for (const m of mounts) {
    const dir = new HostDir(m.source);
    if (m.copyImageContent) await copyImageContent(root, m.destination, dir);
    fsMounts.push({ destination: m.destination, dir, readOnly: m.readOnly });
  }
  return new MountedFs(root, fsMounts);
}
