import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { createBackend, DEFAULT_BACKEND } from "../../backends/registry.js";
import { Engine } from "../../engine/engine.js";
import { loadImages } from "../../engine/images/load.js";
import { pushImage } from "../../engine/images/push.js";
import { tagImage } from "../../engine/images/tag.js";
import { openState } from "../../engine/state/db.js";
import { buildBusyboxImage } from "../images/busybox.js";
import type { ClientConfig } from "./harness.js";

/** The registry user name and password GetAuthorizationToken gives. */
export async function registryLogin(ecr: ECRClient): Promise<{ username: string; password: string }> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  const decoded = Buffer.from(out.authorizationData?.[0]?.authorizationToken ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new Error("GetAuthorizationToken answered no user:password token");
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The repository's URI (host:port/name), creating the repository if it does not exist. */
async function ensureRepository(ecr: ECRClient, repository: string): Promise<string> {
  try {
    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
    return created.repository!.repositoryUri!;
  } catch (err) {
    if ((err as Error).name !== "RepositoryAlreadyExistsException") throw err;
  }
  const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
  return described.repositories![0].repositoryUri!;
}

/**
 * Pushes the busybox test image (or the first image of a docker-archive tar)
 * to the simulator's ECR as REPOSITORY:TAG, the way a developer would with
 * `docker push` after `aws ecr get-login-password`: through an in-process
 * engine that loads the archive and pushes with the ECR password. Creates the
 * repository if needed. Returns the image URI, host:port/repository:tag.
 */
export async function pushTestImage(config: ClientConfig, repository: string, tag: string, archive?: string): Promise<string> {
  const ecr = new ECRClient(config);
  const dir = mkdtempSync(join(tmpdir(), "sockerless-ecr-push-"));
  const state = openState(":memory:");
  const backend = createBackend(DEFAULT_BACKEND, {}, dir);
  try {
    const uri = await ensureRepository(ecr, repository);
    const auth = await registryLogin(ecr);
    const file = archive ?? (await buildBusyboxImage(join(dir, "busybox.tar")), join(dir, "busybox.tar"));
    const engine = new Engine(state, backend, { dataDir: dir });
    const lines = await loadImages(engine.images, createReadStream(file), engine.scratchDir);
    const loaded = /^Loaded image(?: ID)?: (.+)$/.exec(lines[0] ?? "");
    if (!loaded) throw new Error(`the archive ${file} holds no image`);
    tagImage(engine.images, loaded[1], uri, tag);
    await pushImage({ store: engine.images, distribution: engine.distribution, access: { auth, insecure: [] }, emit: () => {} }, uri, tag);
    return `${uri}:${tag}`;
  } finally {
    ecr.destroy();
    await backend.close();
    state.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
