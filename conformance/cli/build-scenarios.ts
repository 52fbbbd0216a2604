import type { CliScenario, CliStep } from "./scenario.js";

const IMG = "sockerless-test/busybox";

/** Single-quoted for sh. */
const quoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A `docker build` run in the step's own directory holding `files`; IDs in
 * its output are replaced, as they differ per engine. `--network none` keeps
 * the reference's per-container warning about IPv4 forwarding out of it.
 */
function build(name: string, files: Record<string, string>, flags: string[], env = ""): CliStep {
  const write = Object.entries(files)
    .map(([path, text]) => `printf %s ${quoted(text)} > "$STEP_DIR/ctx/${path}"`)
    .join(" && ");
  // The CLI's notice that the legacy builder is deprecated goes to stderr, and only the CLI prints it.
  const notice = "^DEPRECATED|^ *(BuildKit is|Install the buildx|https://docs.docker.com/go/buildx)|^$";
  return {
    args: ["build", name],
    shell: `mkdir "$STEP_DIR/ctx" && ${write} && { ${env}docker build --network none ${flags.map(quoted).join(" ")} "$STEP_DIR/ctx" > "$STEP_DIR/out" 2>&1; code=$?; grep -Ev ${quoted(notice)} "$STEP_DIR/out" | sed -E 's/[0-9a-f]{12,64}/<id>/g'; echo "exit $code"; }`,
    compare: ["stdout"],
  };
}

const multiStage = {
  Dockerfile: [
    `ARG BASE=${IMG}`,
    "FROM $BASE AS builder",
    "ARG MSG=default",
    'RUN echo "$MSG" > /msg.txt && echo building',
    `FROM ${IMG} AS final`,
    "COPY --from=builder /msg.txt /msg.txt",
    "COPY a.txt /a.txt",
    'CMD ["sh", "-c", "cat /msg.txt /a.txt"]',
    `FROM ${IMG} AS never`,
    "RUN exit 5",
    "",
  ].join("\n"),
  "a.txt": "from the context\n",
};
const flags = ["-t", "cli-built:v1", "--build-arg", "MSG=built by the cli", "--target", "final"];

/** The builder commits each step's container after it exits: it reads its files. */
const needs = ["archive", "archiveNotRunning"];

/** docker build with the legacy builder, asked for and by default, then runs of what it built. */
export const buildScenarios: CliScenario[] = [
  {
    name: "DOCKER_BUILDKIT=0 docker build of a multi-stage Dockerfile, then run it",
    needs,
    steps: [build("multi-stage", multiStage, [...flags, "--no-cache"], "DOCKER_BUILDKIT=0 "), { args: ["run", "--rm", "cli-built:v1"] }, { args: ["image", "inspect", "-f", "{{.Config.Cmd}}", "cli-built:v1"] }],
    cleanup: [["rmi", "cli-built:v1"]],
  },
  {
    name: "plain docker build falls back to the legacy builder and reuses its cache",
    needs,
    steps: [
      build("first", multiStage, [...flags, "--no-cache"], "env -u DOCKER_BUILDKIT "),
      build("second", multiStage, flags, "env -u DOCKER_BUILDKIT "),
      { args: ["run", "--rm", "cli-built:v1"] },
    ],
    cleanup: [["rmi", "cli-built:v1"]],
  },
  {
    name: "docker build -f with a Dockerfile outside the context, and a Dockerfile from stdin",
    needs,
    steps: [
      {
        args: ["build", "-f", "outside"],
        shell: `mkdir "$STEP_DIR/ctx" && echo data > "$STEP_DIR/ctx/d.txt" && printf 'FROM ${IMG}\\nCOPY d.txt /\\nCMD ["cat", "/d.txt"]\\n' > "$STEP_DIR/Other.Dockerfile" && DOCKER_BUILDKIT=0 docker build -q --network none -f "$STEP_DIR/Other.Dockerfile" -t cli-outside "$STEP_DIR/ctx" > /dev/null 2>&1; echo "exit $?"; docker run --rm cli-outside`,
      },
      {
        args: ["build", "-"],
        shell: `printf 'FROM ${IMG}\\nRUN echo from stdin > /s\\nCMD ["cat", "/s"]\\n' | DOCKER_BUILDKIT=0 docker build -q --network none -t cli-stdin - > /dev/null 2>&1; echo "exit $?"; docker run --rm cli-stdin`,
      },
    ],
    cleanup: [
      ["rmi", "cli-outside"],
      ["rmi", "cli-stdin"],
    ],
  },
  {
    name: "docker build --cache-from an image loaded from a save",
    needs,
    steps: [
      {
        args: ["build", "--cache-from"],
        shell: [
          `mkdir "$STEP_DIR/ctx" && printf 'FROM ${IMG}\\nENV CF=1\\nRUN echo cached > /cf\\nCMD ["cat", "/cf"]\\n' > "$STEP_DIR/ctx/Dockerfile"`,
          `DOCKER_BUILDKIT=0 docker build -q --network none --no-cache -t cli-cf-src "$STEP_DIR/ctx" > /dev/null 2>&1`,
          `docker save cli-cf-src -o "$STEP_DIR/src.tar" && docker rmi cli-cf-src > /dev/null && docker load -q -i "$STEP_DIR/src.tar"`,
          `DOCKER_BUILDKIT=0 docker build --network none --cache-from cli-cf-src -t cli-cf "$STEP_DIR/ctx" 2>/dev/null | grep -c "Using cache"`,
          `[ "$(docker inspect -f '{{.Id}}' cli-cf)" = "$(docker inspect -f '{{.Id}}' cli-cf-src)" ] && echo "the cache source is the result"`,
          "docker run --rm cli-cf",
        ].join(" && "),
      },
    ],
    cleanup: [
      ["rmi", "cli-cf"],
      ["rmi", "cli-cf-src"],
    ],
  },
  {
    name: "a failing RUN fails the build with dockerd's message",
    steps: [build("failing", { Dockerfile: `FROM ${IMG}\nRUN echo about to fail && exit 3\n` }, ["--no-cache", "--force-rm"], "DOCKER_BUILDKIT=0 ")],
  },
];
