import type { Readable } from "node:stream";
import type { ContainerFiles } from "../../backends/backend.js";
import { InvalidParameterError, NotFoundError, SystemError } from "../errors.js";
import { hostFacts } from "../host.js";
import { jsonForm, splitWords } from "../images/changes.js";
import type { ProgressEvent } from "../images/progress.js";
import { pullImage } from "../images/pull.js";
import { parseReference, familiarName } from "../images/reference.js";
import type { Image } from "../images/store.js";
import { addTag, repoTagReference } from "../images/tag.js";
import type { AuthConfig } from "../registry/auth-config.js";
import { BuildArgs } from "./args.js";
import { CacheFromImages } from "./cache-from.js";
import { BuildContext } from "./context.js";
import { copyInto, imageTree, resolveSources, sourceDigest } from "./copy.js";
import { parseDockerfile, parseTrigger, type Instruction } from "./dockerfile.js";
import { cleanRelative } from "./dockerignore.js";
import { download, isRemote } from "./remote.js";
import type { RunConfig } from "./image-record.js";
import { applyMetadata } from "./metadata.js";
import { planBuild, type Stage } from "./plan.js";
import { DEFAULT_SHELL, runStep } from "./run.js";
import { Steps, StepFailure, type BuildDeps, type BuildMessage } from "./step.js";

export interface BuildOptions {
  /** The Dockerfile's path in the context. */
  dockerfile: string;
  /** References to tag the result with, as given (NAME[:TAG]). */
  tags: string[];
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target: string;
  noCache: boolean;
  /** Pull FROM images even when present. */
  pull: boolean;
  remove: boolean;
  forceRemove: boolean;
  quiet: boolean;
  /** The network intermediate containers join (networkmode=), "" for the default. */
  networkMode: string;
  /** The memory limit of intermediate containers in bytes (memory=), 0 for none. */
  memory: number;
  /** Images whose history may stand for steps (cachefrom=); names that resolve to no image are skipped, as dockerd does. */
  cacheFrom: string[];
  /** Credentials by registry host (X-Registry-Config). */
  auth: Record<string, AuthConfig>;
  signal?: AbortSignal;
}

const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A stage being built. */
interface StageState {
  image: Image | undefined;
  config: RunConfig;
  cmdSet: { cmdSet: boolean };
  args: Map<string, string | undefined>;
}

/**
 * POST /build with dockerd's legacy builder: the context tar, the
 * Dockerfile's stages up to the target, each instruction a step whose result
 * is an image (from the cache when an equal step was built on the same
 * parent), and dockerd's stream of messages. Returns the final image's ID.
 */
export async function buildImage(deps: BuildDeps, body: Readable, opts: BuildOptions, emit: (m: BuildMessage) => void): Promise<string> {
  const tags = opts.tags.map((t) => {
    const ref = repoTagReference(t, "");
    if (!ref) throw new InvalidParameterError(`invalid reference format`);
    return ref;
  });
  const context = await BuildContext.read(body);
  const text = context.file(opts.dockerfile);
  if (text === undefined) throw new SystemError(`Cannot locate specified Dockerfile: ${opts.dockerfile}`);
  context.applyIgnore(opts.dockerfile);
  const file = parseDockerfile(text.toString("utf8"));
  const plan = planBuild(file, opts.target);
  const labelKeys = Object.keys(opts.labels).sort();
  const last = plan.stages.at(-1)!;
  for (const k of labelKeys) last.instructions.push({ name: "label", original: `LABEL ${k}=${opts.labels[k]}`, flags: new Map(), args: "", line: 0 });
  emit({ started: true });
  const builder = new Builder(deps, opts, file.escape, context, emit, plan.total + labelKeys.length);
  let id: string;
  try {
    id = await builder.run(plan.metaArgs, plan.stages);
  } catch (err) {
    // Quiet builds keep their output back unless they fail, as dockerd does.
    for (const text of builder.held.splice(0)) emit({ stream: text });
    throw err;
  }
  const unused = builder.args.unconsumed();
  if (unused.length) builder.say(`[Warning] One or more build-args [${unused.join(" ")}] were not consumed\n`);
  if (opts.quiet) emit({ stream: `${id}\n` });
  else builder.say(`Successfully built ${id.replace(/^sha256:/, "").slice(0, 12)}\n`);
  for (const ref of tags) {
    addTag(deps.images, id, ref);
    builder.say(`Successfully tagged ${ref}\n`);
  }
  return id;
}

/** The cachefrom images that exist here; dockerd skips the others with a warning in its log. */
function resolvable(deps: BuildDeps, names: string[]): Image[] {
  const out: Image[] = [];
  for (const name of names) {
    try {
      out.push(deps.images.resolve(name));
    } catch (err) {
      if (!(err instanceof NotFoundError) && !(err instanceof InvalidParameterError)) throw err;
    }
  }
  return out;
}

class Builder {
  readonly args: BuildArgs;
  private readonly steps: Steps;
  private readonly done: { name?: string; image: Image | undefined }[] = [];
  private step = 0;

  constructor(
    private readonly deps: BuildDeps,
    private readonly opts: BuildOptions,
    private readonly escape: string,
    private readonly context: BuildContext,
    private readonly emit: (m: BuildMessage) => void,
    private readonly total: number,
  ) {
    this.args = new BuildArgs(opts.buildArgs);
    this.steps = new Steps(deps, { noCache: opts.noCache, networkMode: opts.networkMode, memory: opts.memory, cacheFrom: new CacheFromImages(deps.images, resolvable(deps, opts.cacheFrom)), remove: opts.remove, forceRemove: opts.forceRemove }, (t) => this.say(t));
  }

  /** Output held back by a quiet build, shown only if it fails. */
  readonly held: string[] = [];

  /** A line of the build's own output, which q=1 holds back. */
  say(text: string): void {
    if (this.opts.quiet) this.held.push(text);
    else this.emit({ stream: text });
  }

  /** A progress line (pulls, downloads), which q=1 leaves out. */
  private progress(progress: ProgressEvent): void {
    if (!this.opts.quiet) this.emit({ progress });
  }

  private announce(i: Instruction): void {
    this.say(`Step ${++this.step}/${this.total} : ${i.original}`);
    this.say("\n");
  }

  async run(metaArgs: Instruction[], stages: Stage[]): Promise<string> {
    for (const i of metaArgs) {
      this.announce(i);
      const [name, value] = this.argDeclaration(i, this.args.metaEnv());
      this.args.declareMeta(name, value);
    }
    let final: Image | undefined;
    for (const stage of stages) {
      this.announce(stage.from);
      const state = await this.begin(stage);
      for (const i of stage.instructions) {
        // A client that went away cancels the build between steps, as dockerd's cancelled context does.
        if (this.opts.signal?.aborted) throw new StepFailure("context canceled");
        this.announce(i);
        await this.dispatch(state, i);
        this.say(` ---> ${state.image?.id.replace(/^sha256:/, "").slice(0, 12) ?? ""}\n`);
      }
      this.done.push({ name: stage.name, image: state.image });
      if (state.image && !this.opts.quiet) this.emit({ aux: { ID: state.image.id } });
      final = state.image;
    }
    if (!final) throw new StepFailure("No image was generated. Is your Dockerfile empty?");
    return final.id;
  }

  /** NAME[=default] of an ARG, the default expanded with `env`. */
  private argDeclaration(i: Instruction, env: string[]): [string, string | undefined] {
    const eq = i.args.indexOf("=");
    if (eq < 0) return [i.args.trim(), undefined];
    return [i.args.slice(0, eq), splitWords(i.args.slice(eq + 1), env, this.escape).join(" ")];
  }

  /** FROM: a previous stage, scratch, or an image (pulled when missing or when the build says pull); then its ONBUILD triggers. */
  private async begin(stage: Stage): Promise<StageState> {
    const name = splitWords(stage.base, this.args.metaEnv(), this.escape).join(" ");
    let image: Image | undefined;
    const previous = [...this.done].reverse().find((d) => d.name !== undefined && d.name === name.toLowerCase());
    if (previous) image = previous.image;
    else if (name.toLowerCase() !== "scratch") image = await this.baseImage(name, this.opts.pull);
    const config: RunConfig = structuredClone(image?.config.config ?? {}) as RunConfig;
    if (!(config.Env ?? []).some((e) => e.startsWith("PATH="))) config.Env = [...(config.Env ?? []), DEFAULT_PATH];
    const triggers = config.OnBuild ?? [];
    config.OnBuild = null;
    const state: StageState = { image, config, cmdSet: { cmdSet: false }, args: new Map() };
    if (triggers.length > 0) {
      this.say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? "s" : ""}`);
      this.say("\n");
      for (const t of triggers) await this.dispatch(state, parseTrigger(t, this.escape));
    }
    this.say(` ---> ${image ? state.image!.id.replace(/^sha256:/, "").slice(0, 12) : ""}\n`);
    return state;
  }

  private async baseImage(name: string, pull: boolean): Promise<Image> {
    if (!pull) {
      try {
        return this.deps.images.resolve(name);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    const ref = parseReference(name);
    await pullImage(
      {
        store: this.deps.images,
        distribution: this.deps.distribution,
        access: { auth: this.opts.auth[ref.domain] ?? this.opts.auth[`https://${ref.domain}`] ?? {}, insecure: this.deps.insecureRegistries, signal: this.opts.signal },
        hostArch: hostFacts().arch,
        emit: (progress) => this.progress(progress),
      },
      { fromImage: ref.digest ? `${familiarName(ref)}@${ref.digest}` : familiarName(ref), tag: ref.digest ? "" : ref.tag ?? "latest", platform: "" },
    );
    return this.deps.images.resolve(name);
  }

  /** The Env a step expands variables with: the stage's, then its build args. */
  private expansionEnv(state: StageState): string[] {
    return [...(state.config.Env ?? []), ...this.args.allowed(state.args, state.config.Env ?? [])];
  }

  private async dispatch(state: StageState, i: Instruction): Promise<void> {
    switch (i.name) {
      case "run":
        return this.run_(state, i);
      case "copy":
      case "add":
        return this.copy(state, i);
      case "arg": {
        const [name, value] = this.argDeclaration(i, this.expansionEnv(state));
        this.args.declare(state.args, name, value);
        return this.commitMetadata(state, { config: state.config, comment: `ARG ${name}${value === undefined ? "" : `=${value}`}` });
      }
      case "label":
        if (i.line === 0) {
          // A label of the request (labels=): applied as given, without expansion.
          const [k, v] = [i.original.slice(6, i.original.indexOf("=")), i.original.slice(i.original.indexOf("=") + 1)];
          const config = structuredClone(state.config);
          config.Labels = { ...(config.Labels ?? {}), [k]: v };
          return this.commitMetadata(state, { config, comment: i.original });
        }
        break;
    }
    const args = i.name === "healthcheck" ? [...[...i.flags].map(([k, v]) => `--${k}=${v}`), i.args].join(" ") : i.args;
    const change = applyMetadata(i.name, args, state.config, { env: this.expansionEnv(state), escape: this.escape, state: state.cmdSet });
    return this.commitMetadata(state, change);
  }

  /** A config-only step: a container made and removed, an image with an empty_layer history entry (WORKDIR also makes its directory). */
  private async commitMetadata(state: StageState, change: { config: RunConfig; comment: string; oneWord?: boolean; author?: string }): Promise<void> {
    const shell = change.config.Shell?.length ? change.config.Shell : DEFAULT_SHELL;
    const probe: RunConfig = { ...change.config, Cmd: change.oneWord ? [...shell, `#(nop) ${change.comment}`] : [...shell, "#(nop) ", change.comment] };
    const author = change.author ?? state.image?.config.author;
    const hit = this.steps.cached(state.image, probe);
    if (hit) {
      state.image = hit;
      state.config = change.config;
      return;
    }
    const workdir = change.oneWord ? change.config.WorkingDir : undefined;
    if (!state.image) {
      // A stage FROM scratch has no image to make a container of until its first step is committed.
      const diffId = workdir ? await this.steps.onLayer(undefined, (files) => makeDir(files, workdir)) : undefined;
      state.image = this.steps.record({ parent: undefined, config: change.config, containerConfig: probe, diffId, author });
      state.config = change.config;
      return;
    }
    const c = await this.steps.createContainer(state.image, probe);
    const { containers, backend } = this.deps;
    let diffId: string | undefined;
    if (workdir) {
      const spec = containers.backendSpec(containers.get(c.id));
      await backend.withFiles(spec, (files) => makeDir(files, workdir));
      diffId = await this.steps.layerOf(spec, state.image);
    }
    state.image = this.steps.record({ parent: state.image, config: change.config, containerConfig: probe, containerId: c.id, diffId, author });
    state.config = change.config;
    await this.steps.removeContainer(c);
  }

  private async run_(state: StageState, i: Instruction): Promise<void> {
    if (!state.image) throw new StepFailure("RUN needs a file system to run in: this stage is FROM scratch and has no files yet");
    const buildArgs = this.args.allowed(state.args, state.config.Env ?? []);
    state.image = await runStep(this.steps, state.image, state.config, i.args, buildArgs, (text) => this.say(text), this.opts.signal);
  }

  private async copy(state: StageState, i: Instruction): Promise<void> {
    const upper = i.name.toUpperCase();
    if (i.flags.has("chmod")) throw new StepFailure("the --chmod option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled");
    const env = this.expansionEnv(state);
    const words = jsonForm(i.args) ?? splitWords(i.args, env, this.escape);
    const written = words.at(-1)!;
    const workdir = state.config.WorkingDir || "/";
    const dest = written.startsWith("/") ? written : `${workdir.endsWith("/") ? workdir : `${workdir}/`}${written}`;
    let sources = words.slice(0, -1);
    const from = i.flags.get("from");
    let tree = this.context;
    if (from !== undefined) {
      const source = await this.fromImage(from);
      tree = await this.steps.readImage(source, (files) => imageTree(files, sources, new BuildContext()));
    }
    if (upper === "ADD") {
      // Remote files join the sources under keys no context path can have.
      const local: string[] = [];
      for (const [n, src] of sources.entries()) {
        if (!isRemote(src)) {
          local.push(src);
          continue;
        }
        const { name, entry } = await download(upper, src, (progress) => this.progress(progress), this.opts.signal);
        this.say("\n");
        if (name === "") throw new StepFailure(`${upper} failed: cannot determine filename for source ${src}`);
        const key = `\0remote-${n}/${name}`;
        tree = tree.withEntry(key, entry);
        local.push(key);
      }
      sources = local;
    }
    const req = { instruction: upper, sources, dest, fromImage: from !== undefined, chown: i.flags.get("chown") ? splitWords(i.flags.get("chown")!, env, this.escape).join("") : undefined };
    const resolved = resolveSources(tree, req);
    const digest = sourceDigest(tree, resolved);
    const shell = state.config.Shell?.length ? state.config.Shell : DEFAULT_SHELL;
    const probe: RunConfig = { ...state.config, Cmd: [...shell, `#(nop) ${upper} ${digest} in ${written} `] };
    const hit = this.steps.cached(state.image, probe);
    if (hit) {
      state.image = hit;
      return;
    }
    const diffId = await this.steps.onLayer(state.image, (files) => copyInto(files, tree, resolved, req));
    state.image = this.steps.record({ parent: state.image, config: state.config, containerConfig: probe, diffId, author: state.image?.config.author });
  }

  /** The image of --from: a previous stage by name or index, else an image (pulled when missing). */
  private async fromImage(from: string): Promise<Image> {
    const name = splitWords(from, this.args.metaEnv(), this.escape).join("");
    const byName = this.done.find((d) => d.name === name.toLowerCase());
    const byIndex = /^\d+$/.test(name) ? this.done[Number(name)] : undefined;
    const stage = byName ?? byIndex;
    if (stage) {
      if (!stage.image) throw new StepFailure(`invalid from flag value ${from}: stage ${name} is FROM scratch and has no files`);
      return stage.image;
    }
    if (/^\d+$/.test(name)) throw new StepFailure(`invalid from flag value ${name}: refers to current build stage`);
    try {
      return await this.baseImage(name, false);
    } catch (err) {
      throw new StepFailure(`invalid from flag value ${name}: ${(err as Error).message}`);
    }
  }
}

/** WORKDIR's directory, made with its parents as dockerd's ContainerCreateWorkdir does. */
async function makeDir(files: ContainerFiles, path: string): Promise<void> {
  let cur = "";
  for (const part of cleanRelative(path).split("/").filter(Boolean)) {
    cur += `/${part}`;
    const info = await files.lstat(cur);
    if (info) continue;
    await files.mkdir(cur);
    await files.setMeta(cur, { mode: 0o755, uid: 0, gid: 0, mtime: Date.now() });
  }
}
