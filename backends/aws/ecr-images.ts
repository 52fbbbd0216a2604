import { CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand, ImageNotFoundException, RepositoryAlreadyExistsException } from "@aws-sdk/client-ecr";
import type { ImageSource } from "../backend.js";

/** An ECR registry's host in REGION (any region when absent). */
export const ecrHost = (region?: string) => new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region ? region.replace(/-/g, "\\-") : "[a-z0-9-]+"}\\.amazonaws\\.com(\\.cn)?$`);

/**
 * The images tasks and functions run: one pulled from a registry they can
 * pull from is used by its digest as it is; any other image of Sockerless's
 * store is pushed to one ECR repository, tagged with its short ID, once.
 */
export class EcrImages {
  private source: ImageSource | undefined;
  private repositoryUri: Promise<string> | undefined;
  private readonly pushed = new Map<string, Promise<string>>();

  /** `canPull` says which registry hosts the runtime pulls from. */
  constructor(
    private readonly ecr: ECRClient,
    private readonly repositoryName: string,
    private readonly canPull: (host: string) => boolean,
  ) {}

  use(source: ImageSource): void {
    this.source = source;
  }

  /** The reference a task pulls the image by, pushing it first where no registry it came from serves tasks. */
  ensure(imageId: string, repoDigests: string[] = []): Promise<string> {
    const pulled = repoDigests.find((d) => this.canPull(d.slice(0, d.indexOf("/"))));
    if (pulled) return Promise.resolve(pulled);
    let uri = this.pushed.get(imageId);
    if (!uri) {
      uri = this.push(imageId);
      // A failed push is tried again on the next start.
      uri.catch(() => this.pushed.delete(imageId));
      this.pushed.set(imageId, uri);
    }
    return uri;
  }

  private async push(imageId: string): Promise<string> {
    if (!this.source) throw new Error("the backend was given no image store to push images from");
    if (!imageId) throw new Error("a container without an image cannot run as a task or function");
    const tag = imageId.replace(/^sha256:/, "").slice(0, 12);
    const reference = `${await this.repository()}:${tag}`;
    if (await this.has(tag)) return reference;
    const { authorizationData } = await this.ecr.send(new GetAuthorizationTokenCommand({}));
    const token = authorizationData?.[0]?.authorizationToken;
    if (!token) throw new Error("ECR's GetAuthorizationToken answered no token");
    const decoded = Buffer.from(token, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    await this.source.push(imageId, reference, { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) });
    return reference;
  }

  private repository(): Promise<string> {
    this.repositoryUri ??= this.createRepository();
    this.repositoryUri.catch(() => (this.repositoryUri = undefined));
    return this.repositoryUri;
  }

  private async createRepository(): Promise<string> {
    try {
      const out = await this.ecr.send(new CreateRepositoryCommand({ repositoryName: this.repositoryName }));
      return out.repository!.repositoryUri!;
    } catch (err) {
      if (!(err instanceof RepositoryAlreadyExistsException)) throw err;
    }
    const out = await this.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [this.repositoryName] }));
    return out.repositories![0].repositoryUri!;
  }

  private async has(tag: string): Promise<boolean> {
    try {
      const out = await this.ecr.send(new DescribeImagesCommand({ repositoryName: this.repositoryName, imageIds: [{ imageTag: tag }] }));
      return (out.imageDetails ?? []).length > 0;
    } catch (err) {
      if (err instanceof ImageNotFoundException) return false;
      throw err;
    }
  }
}
