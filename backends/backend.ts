/**
 * Where a container's processes run. engine/ owns every Docker semantic and
 * reaches a backend only through this interface; describe() lets engine/
 * answer honestly (HTTP 501 naming the backend) for what a backend lacks.
 */
export interface BackendDescription {
  /** Backend name as given to `--backend`. */
  name: string;
  /** One line a person reads in `docker info` and `docker version`. */
  summary: string;
  version: string;
  /** Capabilities engine/ checks before calling the backend. */
  capabilities: BackendCapabilities;
}

export interface BackendCapabilities {
  run: boolean;
  exec: boolean;
  attach: boolean;
  archive: boolean;
  pause: boolean;
  publishPorts: boolean;
  networking: boolean;
}

export interface Backend {
  describe(): BackendDescription;
  close(): Promise<void>;
}

export type BackendFactory = (options: Record<string, string>, dataDir: string) => Backend;
