import type { Builtin } from "./context.js";
import * as flow from "./flow.js";
import * as jobs from "./jobs.js";
import * as lookup from "./lookup.js";
import * as misc from "./misc.js";
import { cd, pwd } from "./dirs.js";
import { echo, printf } from "./output.js";
import { read } from "./read.js";
import * as vars from "./vars.js";

const ok: Builtin = async () => 0;
const no: Builtin = async () => 1;

export const BUILTINS = new Map<string, Builtin>([
  [":", ok],
  ["true", ok],
  ["false", no],
  ["echo", echo],
  ["printf", printf],
  ["read", read],
  ["cd", cd],
  ["pwd", pwd],
  ["set", vars.set],
  ["shift", vars.shift],
  ["export", vars.exportBuiltin],
  ["readonly", vars.readonly],
  ["local", vars.declare],
  ["declare", vars.declare],
  ["typeset", vars.declare],
  ["unset", vars.unset],
  ["shopt", vars.shopt],
  ["exit", flow.exit],
  ["return", flow.returnBuiltin],
  ["break", flow.loopControl("break")],
  ["continue", flow.loopControl("continue")],
  ["eval", flow.evalBuiltin],
  [".", flow.source],
  ["source", flow.source],
  ["exec", flow.exec],
  ["trap", jobs.trap],
  ["wait", jobs.wait],
  ["command", lookup.command],
  ["type", lookup.type],
  ["test", misc.test],
  ["[", misc.test],
  ["let", misc.letBuiltin],
  ["getopts", misc.getopts],
  ["umask", misc.umask],
  ["ulimit", misc.ulimit],
  ["mapfile", misc.mapfile],
  ["readarray", misc.mapfile],
  ["hash", ok],
  ["kill", jobs.kill],
]);

/** POSIX special builtins: found before functions; their assignments persist. */
export const SPECIAL_BUILTINS = new Set([":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set", "shift", "trap", "unset"]);
