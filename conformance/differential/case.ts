/** One HTTP request of a differential case. */
export interface Step {
  method: string;
  /** `{start}` becomes the Unix time (seconds, to the millisecond) the case began on that engine, `{now}` or `{now+N}` the time of sending, plus N seconds. */
  path: string;
  /** A JSON value (sent as application/json) or raw text. */
  body?: unknown;
  headers?: Record<string, string>;
  /** A tar body built from these entries (sent as application/x-tar), gzipped when `gzip`. */
  tar?: TarEntry[];
  gzip?: boolean;
}

export interface TarEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link";
  data?: string;
  linkname?: string;
}

export interface Case {
  name: string;
  /** Requests run on both engines before the compared one; their answers are not compared. */
  setup?: Step[];
  request: Step;
  /**
   * exact: status and normalised body are equal.
   * shape: status is equal and every field of the reference's body exists in
   *        the subject's with the same JSON type (the subject may have more).
   * status: only the status is compared.
   */
  compare: "exact" | "shape" | "status";
  /** Response headers that must be present on both. */
  headers?: string[];
  /** Response headers whose values must be equal. */
  headerValues?: string[];
  /** Compare the decoded X-Docker-Container-Path-Stat (all but mtime, and a directory's size, which is the host file system's). */
  pathStat?: boolean;
  /** Compare the entry names of a tar body instead of the body. */
  tarNames?: boolean;
  /** A JSON array body is compared regardless of order (dockerd lists changes in its file system's order). */
  unordered?: boolean;
  /**
   * For a newline-delimited JSON body (GET /events): each line is reduced to
   * these dotted paths before the lines are compared in order.
   */
  lines?: string[];
  /** Dotted paths left out of the comparison, each with the reason in `why`. */
  ignore?: string[];
  /**
   * Where the reference (Docker 20.10, API 1.41) is known to answer
   * differently from the v1.51 API this daemon serves: what the subject must
   * answer instead, and why (a CHANGELOG entry or a moby fix).
   */
  subject?: { status: number; body?: unknown; why: string };
  why?: string;
  /**
   * What the subject's backend must be able to do for the case to mean
   * anything, by the names `docker version` lists as unsupported (stderr,
   * mounts, signals, archive, ...): a backend that declares one of them
   * unsupported skips the case.
   */
  needs?: string[];
  cleanup?: Step[];
}
