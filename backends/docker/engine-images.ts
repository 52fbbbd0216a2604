import { Readable } from "node:stream";
import type { ImageSource } from "../backend.js";
import { EngineError, type EngineClient } from "./engine-client.js";

/**
 * Copies images from Sockerless's store to the engine, by ID, once: the
 * engine computes the same IDs from the same configs, so what it has is known
 * by asking. No registry is involved.
 */
export class EngineImages {
  private source: ImageSource | undefined;
  private readonly loading = new Map<string, Promise<string>>();

  constructor(private readonly client: EngineClient) {}

  use(source: ImageSource): void {
    this.source = source;
  }

  /** The engine's reference for `imageId`; "" (an empty file system) becomes an image of nothing. */
  ensure(imageId: string): Promise<string> {
    let loaded = this.loading.get(imageId);
    if (!loaded) {
      loaded = (imageId === "" ? this.empty() : this.load(imageId)).finally(() => this.loading.delete(imageId));
      this.loading.set(imageId, loaded);
    }
    return loaded;
  }

  private async has(ref: string): Promise<boolean> {
    try {
      await this.client.call("GET", `/images/${encodeURIComponent(ref)}/json`);
      return true;
    } catch (err) {
      if (err instanceof EngineError && err.status === 404) return false;
      throw err;
    }
  }

  private async load(imageId: string): Promise<string> {
    if (await this.has(imageId)) return imageId;
    if (!this.source) throw new Error("the docker backend has no image store to copy images from");
    const res = await this.client.stream("POST", "/images/load?quiet=1", this.source.save(imageId), { "Content-Type": "application/x-tar" });
    const answer = await readText(res);
    // Load reports failures inside its JSON stream.
    const failed = answer.split("\n").map((l) => (l.trim() ? (JSON.parse(l) as { error?: string }) : {})).find((m) => m.error);
    if (failed) throw new EngineError(500, `the engine could not load image ${imageId}: ${failed.error}`);
    if (!(await this.has(imageId))) throw new EngineError(500, `the engine loaded image ${imageId} under another ID`);
    return imageId;
  }

  private async empty(): Promise<string> {
    const name = "sockerless/empty:latest";
    if (await this.has(name)) return name;
    const tar = Readable.from([Buffer.alloc(1024)]);
    const res = await this.client.stream("POST", `/images/create?fromSrc=-&repo=sockerless/empty&tag=latest`, tar, { "Content-Type": "application/x-tar" });
    await readText(res);
    return name;
  }
}

async function readText(stream: Readable): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.toString();
  return text;
}
