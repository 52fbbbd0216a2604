import { describe, expect, it } from "vitest";
import { BuildArgs } from "./args.js";
import { parseDockerfile } from "./dockerfile.js";
import { IgnoreRules } from "./dockerignore.js";
import { planBuild } from "./plan.js";
import { applyMetadata } from "./metadata.js";

describe("parseDockerfile", () => {
  it("joins continuations, drops comments and keeps the original text", () => {
    const f = parseDockerfile("# c\nFROM x\nENV A=1 \\\n    B=2\nRUN echo a \\\n# inside\n  && echo b\n");
    expect(f.instructions.map((i) => [i.name, i.original, i.line])).toEqual([
      ["from", "FROM x", 2],
      ["env", "ENV A=1     B=2", 3],
      ["run", "RUN echo a   && echo b", 5],
    ]);
  });

  it("honours the escape directive and ignores syntax", () => {
    const f = parseDockerfile("# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN dir c:\\ `\n  /b\n");
    expect(f.escape).toBe("`");
    expect(f.instructions[1].args).toBe("dir c:\\   /b");
  });

  it("splits leading flags", () => {
    const i = parseDockerfile("FROM x\nCOPY --from=a --chown=1:2 /s /d\n").instructions[1];
    expect([...i.flags]).toEqual([
      ["from", "a"],
      ["chown", "1:2"],
    ]);
    expect(i.args).toBe("/s /d");
  });

  it("refuses unknown instructions and empty files with dockerd's words", () => {
    expect(() => parseDockerfile("FROM x\nFOO bar\n")).toThrow("dockerfile parse error line 2: unknown instruction: FOO");
    expect(() => parseDockerfile("# nothing\n\n")).toThrow("failed to parse Dockerfile: file with no instructions");
  });
});

describe("planBuild", () => {
  const file = parseDockerfile("ARG B=x\nFROM $B AS one\nRUN a\nFROM one AS two\nRUN b\nFROM x\nRUN c\n");

  it("counts every step and keeps the stages up to the target", () => {
    expect(planBuild(file, "").total).toBe(7);
    const p = planBuild(file, "TWO");
    expect(p.stages.map((s) => s.name)).toEqual(["one", "two"]);
    expect(p.total).toBe(5);
    expect(p.metaArgs).toHaveLength(1);
  });

  it("refuses what dockerd refuses before building", () => {
    expect(() => planBuild(file, "three")).toThrow("failed to reach build target three in Dockerfile");
    expect(() => planBuild(parseDockerfile("RUN x\n"), "")).toThrow("no build stage in current context");
    expect(() => planBuild(parseDockerfile("FROM x\nCOPY a\n"), "")).toThrow("dockerfile parse error line 2: COPY requires at least two arguments");
    expect(() => planBuild(parseDockerfile("FROM x\nRUN --mount=a true\n"), "")).toThrow("dockerfile parse error line 2: Unknown flag: mount");
  });
});

describe("IgnoreRules", () => {
  it("matches as moby's patternmatcher: **, parents and exceptions", () => {
    const r = new IgnoreRules("# c\nd/**\n!d/keep\n*.txt\n/abs/x\n");
    expect(r.ignores("d/drop/c")).toBe(true);
    expect(r.ignores("d/keep")).toBe(false);
    expect(r.ignores("d/keep/k")).toBe(false);
    expect(r.ignores("a.txt")).toBe(true);
    expect(r.ignores("sub/a.txt")).toBe(false);
    expect(r.ignores("abs/x/y")).toBe(true);
    expect(new IgnoreRules("**/*.md").ignores("a/b/c.md")).toBe(true);
    expect(new IgnoreRules("**/*.md").ignores("c.md")).toBe(true);
  });
});

describe("BuildArgs", () => {
  it("gives declared args the client's value, the default, or the meta arg's", () => {
    const args = new BuildArgs({ V: "2", U: "x" });
    args.declareMeta("BASE", "img");
    const stage = new Map<string, string | undefined>();
    args.declare(stage, "V", "1");
    args.declare(stage, "BASE", undefined);
    args.declare(stage, "NONE", undefined);
    expect(args.allowed(stage, ["V=env"])).toEqual(["BASE=img"]);
    expect(args.allowed(stage, [])).toEqual(["BASE=img", "V=2"]);
    expect(args.unconsumed()).toEqual(["U"]);
  });
});

describe("applyMetadata", () => {
  const opts = () => ({ env: ["A=a"], escape: "\\", state: { cmdSet: false } });

  it("records comments as dockerd's builder commits them", () => {
    expect(applyMetadata("env", "B=$A C=c", {}, opts()).comment).toBe("ENV B=a C=c");
    expect(applyMetadata("cmd", "echo hi", { Shell: ["/bin/sh", "-xc"] }, opts()).comment).toBe('CMD ["/bin/sh" "-xc" "echo hi"]');
    expect(applyMetadata("volume", "/a /b", {}, opts()).comment).toBe("VOLUME [/a /b]");
    expect(applyMetadata("workdir", "x/$A", { WorkingDir: "/w" }, opts())).toMatchObject({ comment: "WORKDIR /w/x/a", oneWord: true });
    expect(applyMetadata("healthcheck", "--interval=5s --retries=3 CMD true", {}, opts()).comment).toBe('HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" "0s" \'\\x03\'}');
    expect(applyMetadata("shell", '["/bin/sh", "-xc"]', {}, opts())).toMatchObject({ comment: "SHELL [/bin/sh -xc]", config: { Shell: ["/bin/sh", "-xc"] } });
  });

  it("clears Cmd on ENTRYPOINT unless the stage set one", () => {
    const state = { cmdSet: false };
    const a = applyMetadata("entrypoint", '["x"]', { Cmd: ["old"] }, { ...opts(), state });
    expect(a.config.Cmd).toBeNull();
    const b = applyMetadata("cmd", '["c"]', a.config, { ...opts(), state });
    expect(applyMetadata("entrypoint", '["y"]', b.config, { ...opts(), state }).config.Cmd).toEqual(["c"]);
  });
});
