import { InvalidParameterError } from "../errors.js";
import { jsonForm } from "../images/changes.js";
import type { Dockerfile, Instruction } from "./dockerfile.js";

/** One FROM and the instructions after it. */
export interface Stage {
  index: number;
  /** The `AS name`, lower-cased; undefined without one. */
  name?: string;
  from: Instruction;
  /** The image reference as written (variables not yet expanded). */
  base: string;
  instructions: Instruction[];
}

export interface Plan {
  /** ARGs before the first FROM. */
  metaArgs: Instruction[];
  /** Stages up to and including the target. */
  stages: Stage[];
  /** Every step the build shows ("Step N/total"). */
  total: number;
}

/** The flags each instruction accepts in the legacy builder. */
const FLAGS: Record<string, string[]> = {
  from: ["platform"],
  copy: ["from", "chown", "chmod"],
  add: ["chown", "chmod"],
  healthcheck: ["interval", "timeout", "start-period", "start-interval", "retries"],
};

function parseError(i: Instruction, message: string): InvalidParameterError {
  return new InvalidParameterError(`dockerfile parse error line ${i.line}: ${message}`);
}

/** What moby's instructions.Parse refuses before anything runs. */
function check(i: Instruction): void {
  for (const flag of i.flags.keys()) if (!(FLAGS[i.name] ?? []).includes(flag)) throw parseError(i, `Unknown flag: ${flag}`);
  const upper = i.name.toUpperCase();
  if ((i.name === "copy" || i.name === "add") && (jsonForm(i.args) ?? i.args.split(/\s+/).filter(Boolean)).length < 2) {
    throw parseError(i, `${upper} requires at least two arguments, but only one was provided. Destination could not be determined`);
  }
  if (i.args === "" && ["from", "run", "env", "label", "workdir", "user", "expose", "volume", "stopsignal", "maintainer", "arg", "shell", "onbuild", "healthcheck"].includes(i.name)) {
    throw parseError(i, `${upper} requires at least one argument`);
  }
  if (i.name === "shell" && !jsonForm(i.args)) throw parseError(i, "SHELL requires the arguments to be in JSON form");
}

/**
 * Splits a parsed Dockerfile into its meta ARGs and stages, checks every
 * instruction, and keeps the stages up to `target`, as the legacy builder
 * does before it runs anything.
 */
export function planBuild(file: Dockerfile, target: string): Plan {
  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const i of file.instructions) {
    check(i);
    if (i.name === "from") {
      const words = i.args.split(/\s+/);
      if (words.length !== 1 && !(words.length === 3 && words[1].toLowerCase() === "as")) throw parseError(i, "FROM requires either one or three arguments");
      const name = words.length === 3 ? words[2].toLowerCase() : undefined;
      if (name !== undefined && !/^[a-z][a-z0-9-_.]*$/.test(name)) throw parseError(i, `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
      stages.push({ index: stages.length, name, from: i, base: words[0], instructions: [] });
    } else if (stages.length === 0) {
      if (i.name !== "arg") throw new InvalidParameterError("no build stage in current context");
      metaArgs.push(i);
    } else stages.at(-1)!.instructions.push(i);
  }
  let kept = stages;
  if (target !== "") {
    const at = stages.findIndex((s) => s.name === target.toLowerCase());
    if (at < 0) throw new InvalidParameterError(`failed to reach build target ${target} in Dockerfile`);
    kept = stages.slice(0, at + 1);
  }
  const total = metaArgs.length + kept.reduce((n, s) => n + 1 + s.instructions.length, 0);
  return { metaArgs, stages: kept, total };
}
