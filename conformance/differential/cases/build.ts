import type { Case, Step, TarEntry } from "../case.js";

const busybox = "sockerless-test/busybox";
/** The local registry conformance/run.sh starts: an HTTP server both engines reach, for ADD of a URL. */
const registry = process.env.CONFORMANCE_REGISTRY ?? "127.0.0.1:5000";
const q = (o: object) => encodeURIComponent(JSON.stringify(o));
/** The build stream's fields; ids are normalised by the harness. */
const stream = ["stream", "aux.ID", "error", "errorDetail.message", "errorDetail.code"];
const rmi = (name: string): Step => ({ method: "DELETE", path: `/images/${name}?force=1` });
/**
 * Builds with networkmode=none: the reference's intermediate containers on
 * its default bridge would each add dockerd's warning that IPv4 forwarding is
 * disabled, which says nothing about the builder.
 */
const build = (tar: TarEntry[], query = "", gzip = false): Step => ({ method: "POST", path: `/build?networkmode=none${query ? `&${query}` : ""}`, tar, gzip });
const dockerfile = (text: string, more: TarEntry[] = []): TarEntry[] => [{ name: "Dockerfile", data: text }, ...more];

const multiStage = dockerfile(
  [
    `ARG BASE=${busybox}`,
    "FROM $BASE AS first",
    "ARG V=1",
    "ENV E=e1 \\",
    "    F=f1",
    'RUN echo "building $V $E" && echo hi > /built.txt',
    "COPY a.txt /dst/",
    "COPY d /dd",
    "WORKDIR /w/x",
    "LABEL k=v",
    `FROM ${busybox}`,
    "COPY --from=first /built.txt /copied.txt",
    "COPY --from=0 /dd/sub/x /x",
    'CMD ["cat", "/copied.txt"]',
    "",
  ].join("\n"),
  [
    { name: "a.txt", data: "hello\n" },
    { name: "d/", type: "directory" },
    { name: "d/y", data: "y\n" },
    { name: "d/sub/", type: "directory" },
    { name: "d/sub/x", data: "x\n" },
  ],
);
const withArgs = `buildargs=${q({ V: "2", UNUSED: "x" })}`;

const metadata = dockerfile(
  [
    `FROM ${busybox}`,
    "MAINTAINER me",
    'LABEL "a b"="c d" e=f',
    'ENV G "h i"',
    "EXPOSE 80 90/udp",
    "USER nobody",
    "USER root",
    "VOLUME /data /d2",
    'VOLUME ["/d3"]',
    "STOPSIGNAL SIGUSR1",
    "SHELL [\"/bin/sh\", \"-c\"]",
    "ONBUILD RUN echo triggered",
    "ENTRYPOINT echo ep",
    "CMD echo cmd",
    "",
  ].join("\n"),
);

const stages = dockerfile([`FROM ${busybox} AS a`, "ENV X=1", "FROM a AS b", "ENV Y=2", `FROM ${busybox}`, "ENV Z=3", ""].join("\n"));
const failing = (line: string) => dockerfile(`FROM ${busybox}\n${line}\n`);
const cacheWhy = "each engine's step images are its own: a build reuses them only on the engine that made them";

/**
 * After each case: the containers a build keeps (rm=0, a failed step) and
 * the step images no tag holds (a multi-stage build's earlier stages,
 * untagged results) go, so later suites see the engines as they were.
 */
const tidy: Step[] = [
  { method: "POST", path: "/containers/prune" },
  { method: "POST", path: "/images/prune" },
];

/** POST /build with the legacy builder: streams, cache, stages, targets, labels, args and dockerd's errors. */
const cases: Case[] = [
  {
    name: "a multi-stage build with build args",
    request: build(multiStage, `t=bld-multi&nocache=1&${withArgs}`),
    compare: "exact",
    lines: stream,
    cleanup: [rmi("bld-multi")],
  },
  {
    name: "a second build reuses the cache",
    setup: [build(multiStage, `t=bld-cache&${withArgs}`)],
    request: build(multiStage, `t=bld-cache&${withArgs}`),
    compare: "exact",
    lines: stream,
    why: cacheWhy,
    cleanup: [rmi("bld-cache")],
  },
  {
    name: "nocache runs every step again",
    setup: [build(multiStage, `t=bld-nocache&${withArgs}`)],
    request: build(multiStage, `t=bld-nocache&nocache=1&${withArgs}`),
    compare: "exact",
    lines: stream,
    cleanup: [rmi("bld-nocache")],
  },
  { name: "a gzip-compressed context", request: build(failing("COPY Dockerfile /"), "nocache=1", true), compare: "exact", lines: stream },
  { name: "config-only instructions", request: build(metadata, "t=bld-meta&nocache=1"), compare: "exact", lines: stream },
  {
    name: "the config a build gives its image",
    setup: [build(metadata, "t=bld-meta2&nocache=1")],
    request: { method: "GET", path: "/v1.41/images/bld-meta2/json" },
    compare: "exact",
    ignore: ["Id", "Parent", "Created", "Container", "ContainerConfig", "Config.Image", "DockerVersion", "GraphDriver", "Metadata", "RootFS", "Size", "VirtualSize"],
    why: "IDs, times and the intermediate container differ per engine",
    cleanup: [rmi("bld-meta2")],
  },
  {
    name: "the history a build records",
    setup: [build(dockerfile(`FROM ${busybox}\nARG V=1\nENV A=1\nRUN echo $V > /v\nCMD ["sh"]\n`), `t=bld-hist&nocache=1&buildargs=${q({ V: "7" })}`)],
    request: { method: "GET", path: "/images/bld-hist/history" },
    compare: "exact",
    ignore: ["Id", "Created"],
    cleanup: [rmi("bld-hist")],
  },
  {
    name: "ONBUILD triggers run when the image is a base",
    setup: [build(dockerfile(`FROM ${busybox}\nONBUILD RUN echo triggered\n`), "t=bld-onbuild&nocache=1")],
    request: build(dockerfile("FROM bld-onbuild\nRUN echo after\n"), "nocache=1"),
    compare: "exact",
    lines: stream,
    cleanup: [rmi("bld-onbuild")],
  },
  {
    name: "a .dockerignore that names the Dockerfile",
    request: build(
      dockerfile(`FROM ${busybox}\nCOPY . /ctx/\nRUN find /ctx | sort\n`, [
        { name: ".dockerignore", data: "Dockerfile\n*.md\n" },
        { name: "a.md", data: "a" },
        { name: "d/b", data: "b" },
      ]),
      "nocache=1",
    ),
    compare: "exact",
    lines: stream,
    why: "the daemon drops only the Dockerfile and .dockerignore it names; the client packing the context applies the other rules",
  },
  { name: "WORKDIR makes its directory", request: build(failing('WORKDIR /made/here\nRUN test -d /made/here && echo "made $(pwd)"'), "nocache=1"), compare: "exact", lines: stream },
  {
    name: "ADD of a URL downloads it in the daemon",
    request: build(failing(`ADD http://${registry}/v2/_catalog /dl/\nADD http://${registry}/v2/_catalog /named\nRUN echo "$(cat /dl/_catalog /named) $(stat -c %a /named)"`), "nocache=1"),
    compare: "exact",
    lines: [...stream, "status", "progressDetail"],
  },
  { name: "ADD of a URL that names no file", request: build(failing(`ADD http://${registry}/v2/ /dl/`), "nocache=1"), compare: "exact", lines: [...stream, "status", "progressDetail"] },
  { name: "ADD of a URL nobody answers", request: build(failing("ADD http://127.0.0.1:1/x /x")), compare: "exact", lines: stream },
  { name: "a target stage", request: build(stages, "nocache=1&target=b"), compare: "exact", lines: stream },
  { name: "labels of the request", request: build(stages, `nocache=1&labels=${q({ z: "1", "a b": "x y" })}`), compare: "exact", lines: stream },
  { name: "a quiet build prints only the ID", request: build(failing("RUN echo hi"), "q=1&nocache=1"), compare: "exact", lines: stream },
  { name: "a quiet build that fails shows its output", request: build(failing("RUN echo hi; exit 2"), "q=1&nocache=1"), compare: "exact", lines: stream },
  { name: "kept intermediate containers (rm=0)", request: build(failing("ENV A=1\nRUN echo x"), "rm=0&nocache=1"), compare: "exact", lines: stream },
  {
    name: "FROM scratch",
    request: build(dockerfile("FROM scratch\nENV A=1\nCOPY Dockerfile /\n"), "nocache=1"),
    compare: "exact",
    lines: stream,
    subject: {
      status: 200,
      why: "dockerd makes an intermediate container of an empty root for a scratch stage's first config-only step; sockerless makes containers only from images, so that step is committed without one (no Running in / Removing lines)",
    },
  },
  {
    name: "a build's image events",
    setup: [build(failing("ENV A=1"), "t=bld-ev:1")],
    request: { method: "GET", path: `/events?since={start}&until={now}&filters=${q({ type: ["image"], image: ["bld-ev:1"] })}` },
    compare: "exact",
    lines: ["Type", "Action", "Actor.Attributes.name"],
    cleanup: [rmi("bld-ev:1")],
  },
  {
    name: "the container events of a build's steps",
    setup: [build(failing("ENV A=1\nRUN echo hi\nCOPY Dockerfile /"), "t=bld-ev:2&nocache=1")],
    request: { method: "GET", path: `/events?since={start}&until={now}&filters=${q({ type: ["container", "image"] })}` },
    compare: "exact",
    lines: ["Type", "Action"],
    cleanup: [rmi("bld-ev:2")],
  },
  // errors
  { name: "no Dockerfile in the context", request: build([{ name: "x", data: "x" }]), compare: "exact" },
  { name: "a Dockerfile path that is not in the context", request: build(multiStage, "dockerfile=sub/Dfile"), compare: "exact" },
  { name: "an unknown instruction", request: build(failing("FOO bar")), compare: "exact" },
  { name: "a Dockerfile without instructions", request: build(dockerfile("# only a comment\n")), compare: "exact" },
  { name: "an instruction before FROM", request: build(dockerfile("RUN true\n")), compare: "exact" },
  { name: "COPY without a destination", request: build(failing("COPY onlyone")), compare: "exact" },
  { name: "an unknown flag", request: build(failing("COPY --bogus=1 Dockerfile /")), compare: "exact" },
  { name: "malformed build args", request: build(stages, "buildargs=%7Bbad"), compare: "exact" },
  { name: "malformed labels", request: build(stages, "labels=%5B"), compare: "exact" },
  { name: "labels that are not strings", request: build(stages, `labels=${q({ a: 1 })}`), compare: "exact" },
  { name: "an unknown target", request: build(stages, "target=nope"), compare: "exact" },
  { name: "a missing COPY source", request: build(failing("COPY nope.txt /x")), compare: "exact", lines: stream },
  { name: "a COPY wildcard that matches nothing", request: build(failing("COPY no*.txt /x")), compare: "exact", lines: stream },
  { name: "several sources into a file", request: build(failing("COPY Dockerfile Dockerfile /x")), compare: "exact", lines: stream },
  { name: "COPY --chmod needs BuildKit", request: build(failing("COPY --chmod=644 Dockerfile /")), compare: "exact", lines: stream },
  { name: "a RUN that fails", request: build(failing("RUN false"), "nocache=1&forcerm=1"), compare: "exact", lines: stream },
  { name: "an exec-form RUN that fails", request: build(failing('RUN ["sh", "-c", "exit 3"]'), "nocache=1&forcerm=1"), compare: "exact", lines: stream },
  { name: "a stage that makes no image", request: build(dockerfile("FROM scratch\n")), compare: "exact", lines: stream },
  {
    name: "COPY --from an unknown stage",
    request: build(failing("COPY --from=nostage /a /b")),
    compare: "exact",
    lines: ["stream", "aux.ID"],
    why: "dockerd tries to pull the unknown name from Docker Hub; the words of that failure are each engine's network's",
  },
];

export const buildCases: Case[] = cases.map((c) => ({ ...c, cleanup: [...(c.cleanup ?? []), ...tidy] }));
