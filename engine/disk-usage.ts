import type { Backend } from "../backends/backend.js";
import type { Container, ContainerManager } from "./containers/manager.js";
import type { Image, ImageStore } from "./images/store.js";

export interface ImageUsage {
  image: Image;
  /** Bytes of the image's layers that other images also use. */
  sharedSize: number;
  /** Containers created from it. */
  containers: number;
}

export interface ContainerUsage {
  container: Container;
  /** Undefined when the backend cannot measure a container's own changes. */
  sizeRw?: number;
  sizeRootFs?: number;
}

/** What `docker system df` reports, measured from the image store and the backend. */
export class DiskUsage {
  constructor(
    private readonly images: ImageStore,
    private readonly containers: ContainerManager,
    private readonly backend: Backend,
  ) {}

  /** Every image with its shared bytes and users, and the bytes of all distinct layers. */
  imageUsage(): { layersSize: number; images: ImageUsage[] } {
    const images = this.images.list();
    const users = new Map<string, number>();
    for (const img of images) for (const layer of new Set(img.config.rootfs.diff_ids)) users.set(layer, (users.get(layer) ?? 0) + 1);
    const size = (layer: string) => this.images.layers.diffSize(layer);
    const layersSize = [...users.keys()].reduce((sum, layer) => sum + size(layer), 0);
    const containers = this.containers.list();
    return {
      layersSize,
      images: images.map((image) => ({
        image,
        sharedSize: [...new Set(image.config.rootfs.diff_ids)].filter((l) => users.get(l)! > 1).reduce((sum, l) => sum + size(l), 0),
        containers: containers.filter((c) => c.imageId === image.id).length,
      })),
    };
  }

  async containerUsage(): Promise<ContainerUsage[]> {
    const measure = this.backend.writableLayerSize?.bind(this.backend);
    return Promise.all(
      this.containers.list().map(async (container) => {
        if (!measure) return { container };
        const sizeRw = await measure(container.id);
        return { container, sizeRw, sizeRootFs: sizeRw + (this.images.get(container.imageId)?.size ?? 0) };
      }),
    );
  }
}
