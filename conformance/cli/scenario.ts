/** One docker CLI invocation of a scenario. */
export interface CliStep {
  args: string[];
  /**
   * A shell command line run instead of docker `args` (which then only name
   * the step), for pipelines and host files: $DOCKER_HOST is the engine's and
   * $STEP_DIR an empty directory of the step's own.
   */
  shell?: string;
  stdin?: string;
  /** Run under `script` so the CLI has a terminal (docker run -t). */
  tty?: boolean;
  /** What is compared with the reference engine's run of the same step (default: stdout and exit code). */
  compare?: ("stdout" | "stderr" | "exit")[];
  /** For steps the reference cannot run: what sockerless must print and exit with. */
  expect?: { stdout?: string | RegExp; stderr?: RegExp; exit: number };
}

export interface CliScenario {
  name: string;
  /** What sockerless's backend must be able to do, by the names `docker version` lists as unsupported; a backend lacking one skips the scenario. */
  needs?: string[];
  steps: CliStep[];
  /** Run on both engines afterwards whatever happened (removals). */
  cleanup?: string[][];
}
