import { join } from "node:path";
import { packageRoot } from "../../../../engine/package-info.js";
import type { AwsService, ImageRegistry, SimContext } from "../../service.js";
import { ecrOperations } from "./api.js";
import { BlobFiles } from "./blobs.js";
import { imageRegistry, registryHosts } from "./image-registry.js";
import { layerDownloadRoute } from "./layer-download.js";
import { registryRoutes } from "./registry-routes.js";
import { EcrStore } from "./store.js";
import { RegistryTokens } from "./tokens.js";

const migrations = join(packageRoot, "simulators", "aws", "services", "ecr", "migrations");

/** ECR (JSON 1.1, AmazonEC2ContainerRegistry_V20150921) and its OCI distribution endpoint. */
export function createEcrService(ctx: SimContext): { service: AwsService; registry: ImageRegistry } {
  ctx.migrate("ecr", migrations);
  const store = new EcrStore(ctx.sqlite);
  const blobs = new BlobFiles(join(ctx.filesDir, "ecr"));
  const tokens = new RegistryTokens(ctx.sqlite);
  const hosts = registryHosts(ctx.endpoint, ctx.accountId, ctx.region);
  const service: AwsService = {
    signingName: "ecr",
    json: { targetPrefix: "AmazonEC2ContainerRegistry_V20150921", version: "1.1", operations: ecrOperations({ store, blobs, tokens, ctx, registryHost: hosts.local }) },
    routes: (app) => {
      registryRoutes(app, { store, blobs, tokens, accountId: ctx.accountId, endpoint: ctx.endpoint });
      layerDownloadRoute(app, { store, blobs, tokens });
    },
    health: () => ({ registry: `${hosts.local}/v2/`, repositories: store.repositories().length }),
  };
  return { service, registry: imageRegistry(hosts, tokens) };
}
