import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { InvalidParameterError } from "../errors.js";

/**
 * The host directories a client may bind-mount (serve --bind-root DIR).
 * Anything else is refused: without a root, no host path is reachable.
 */
export class BindRoots {
  private readonly roots: string[];

  constructor(roots: string[]) {
    this.roots = roots.map((r) => realpathSync(resolve(r)));
  }

  get list(): readonly string[] {
    return this.roots;
  }

  /**
   * The real host path of `source` when it lies under a permitted root once
   * its symlinks are resolved; a missing path is judged by its nearest
   * existing ancestor, so creating it later cannot leave the root either.
   */
  check(source: string, what = "bind mount source path"): string {
    if (!isAbsolute(source)) throw new InvalidParameterError(`${what} ${source} must be an absolute path`);
    let existing = resolve(source);
    const missing: string[] = [];
    while (!existsSync(existing)) {
      missing.unshift(basename(existing));
      existing = dirname(existing);
    }
    const full = resolve(realpathSync(existing), ...missing);
    if (!this.roots.some((root) => full === root || full.startsWith(root === "/" ? "/" : `${root}/`))) {
      const allowed = this.roots.length ? `the roots this daemon permits (${this.roots.join(", ")})` : "any root this daemon permits: none is configured";
      throw new InvalidParameterError(`${what} ${source} is outside ${allowed}; start sockerless with serve --bind-root DIR to allow host directories`);
    }
    return full;
  }
}
