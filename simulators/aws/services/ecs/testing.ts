import { createReadStream } from "node:fs";
import { join } from "node:path";
import { createBackend } from "../../../../backends/registry.js";
import { buildBusyboxImage } from "../../../../conformance/images/busybox.js";
import { Engine } from "../../../../engine/engine.js";
import { loadImages } from "../../../../engine/images/load.js";
import { pushImage } from "../../../../engine/images/push.js";
import { tagImage } from "../../../../engine/images/tag.js";
import { TestRegistry } from "../../../../engine/registry/testing.js";
import { openState } from "../../../../engine/state/db.js";

/**
 * A loopback registry holding the busybox test image as host:port/busybox:latest,
 * pushed by an in-process engine: a registry ECS pulls from anonymously.
 */
export async function registryWithBusybox(dir: string): Promise<{ registry: TestRegistry; image: string }> {
  const registry = await new TestRegistry().start();
  const state = openState(":memory:");
  const backend = createBackend("sandbox", {}, dir);
  try {
    const engine = new Engine(state, backend, { dataDir: dir });
    const file = join(dir, "busybox.tar");
    await buildBusyboxImage(file);
    const [line] = await loadImages(engine.images, createReadStream(file), engine.scratchDir);
    const name = line.replace(/^Loaded image(?: ID)?: /, "");
    const repository = `${registry.host}/busybox`;
    tagImage(engine.images, name, repository, "latest");
    await pushImage({ store: engine.images, distribution: engine.distribution, access: { auth: {}, insecure: [] }, emit: () => {} }, repository, "latest");
    return { registry, image: `${repository}:latest` };
  } finally {
    await backend.close();
    state.close();
  }
}
