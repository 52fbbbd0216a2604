import { fail, type BuiltinContext } from "./context.js";

export async function cd(ctx: BuiltinContext): Promise<number> {
  const { sh, io } = ctx;
  const args = ctx.argv.slice(1).filter((a) => a !== "-L" && a !== "-P" && a !== "--");
  let target = args[0];
  let print = false;
  if (target === undefined || target === "") {
    target = sh.get("HOME") ?? "/";
  } else if (target === "-") {
    target = sh.get("OLDPWD") ?? "";
    if (!target) return fail(ctx, "OLDPWD not set");
    print = true;
  }
  const path = sh.resolve(target);
  let isDir: boolean;
  try {
    isDir = (await sh.fs.stat(path)).isDirectory;
  } catch {
    return fail(ctx, `${target}: No such file or directory`);
  }
  if (!isDir) return fail(ctx, `${target}: Not a directory`);
  const old = sh.cwd;
  sh.cwd = path;
  sh.set("OLDPWD", old);
  sh.set("PWD", path);
  if (print) await io.stdout.write(path + "\n");
  return 0;
}

export async function pwd(ctx: BuiltinContext): Promise<number> {
  const { sh, io } = ctx;
  let dir = sh.cwd;
  if (ctx.argv.includes("-P")) {
    try {
      dir = await sh.fs.realpath(dir);
    } catch {
      // keep the logical directory
    }
  }
  await io.stdout.write(dir + "\n");
  return 0;
}
