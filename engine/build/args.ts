/** Build args every build may use without declaring them (moby's BuiltinAllowedBuildArgs); they are never reported unconsumed. */
const BUILTIN = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

/**
 * The build args of one build: the values a client gave (`buildargs`), the
 * meta ARGs before the first FROM, and those each stage declares. A value
 * reaches RUN and variable expansion only once an ARG declares it.
 */
export class BuildArgs {
  private readonly consumed = new Set<string>();
  private readonly meta = new Map<string, string | undefined>();

  constructor(private readonly given: Record<string, string | null>) {}

  private value(name: string, fallback: string | undefined): string | undefined {
    this.consumed.add(name);
    const v = this.given[name];
    return typeof v === "string" ? v : fallback;
  }

  /** An ARG before the first FROM; its value is for FROM lines and for stage ARGs of the same name without a default. */
  declareMeta(name: string, fallback: string | undefined): void {
    this.meta.set(name, this.value(name, fallback));
  }

  /** "NAME=value" of the meta ARGs that have a value, for expanding FROM lines. */
  metaEnv(): string[] {
    return [...this.meta].filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  }

  /** A stage's ARG: the client's value, else the default written, else the meta ARG's value. */
  declare(stage: Map<string, string | undefined>, name: string, fallback: string | undefined): void {
    stage.set(name, this.value(name, fallback ?? this.meta.get(name)));
  }

  /**
   * "NAME=value" of the stage's args that have a value and no ENV of the same
   * name, sorted, as moby's FilterAllowed; the proxy args come along unless
   * declared, without being recorded (`recorded` false).
   */
  allowed(stage: Map<string, string | undefined>, env: string[], withBuiltins = false): string[] {
    const set = (name: string) => env.some((e) => e === name || e.startsWith(`${name}=`));
    const out = new Map<string, string>();
    for (const [k, v] of stage) if (v !== undefined && !set(k)) out.set(k, v);
    if (withBuiltins) for (const k of BUILTIN) if (!stage.has(k) && typeof this.given[k] === "string" && !set(k)) out.set(k, this.given[k] as string);
    return [...out.keys()].sort().map((k) => `${k}=${out.get(k)}`);
  }

  /** Client build args no ARG declared, sorted, as dockerd warns of them. */
  unconsumed(): string[] {
    return Object.keys(this.given)
      .filter((k) => !this.consumed.has(k) && !BUILTIN.includes(k))
      .sort();
  }
}
