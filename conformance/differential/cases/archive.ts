import type { Case, Step } from "../case.js";

const busybox = "sockerless-test/busybox";
const create = (name: string, cmd: string[] = ["true"]): Step => ({ method: "POST", path: `/containers/create?name=${name}`, body: { Image: busybox, Cmd: cmd } });
const remove = (name: string): Step => ({ method: "DELETE", path: `/containers/${name}?force=1` });
const put = (name: string, query: string, tar: NonNullable<Step["tar"]>, gzip = false): Step => ({ method: "PUT", path: `/containers/${name}/archive?${query}`, tar, gzip });
const head = (path: string): Step => ({ method: "HEAD", path: `/containers/arc/archive?path=${encodeURIComponent(path)}` });
const get = (name: string, path: string): Step => ({ method: "GET", path: `/containers/${name}/archive?path=${encodeURIComponent(path)}` });
/** Every container here is created or has exited: their files are read and written while they do not run. */
const files = { needs: ["archive", "archiveNotRunning"] };
const arc = { setup: [create("arc")], cleanup: [remove("arc")], ...files };
const dirTar = [
  { name: "d/", type: "directory" as const },
  { name: "d/x", data: "inner\n" },
];
const docker28 = "Docker 28 unpacks in the daemon itself (no docker-untar re-exec), so its messages have no 'Error processing tar file(exit status 1): ' prefix";

/** docker cp (archive), docker export and docker diff (changes). */
export const archiveCases: Case[] = [
  { name: "stat a file", ...arc, request: head("/etc/passwd"), compare: "status", pathStat: true },
  { name: "stat a directory", ...arc, request: head("/bin"), compare: "status", pathStat: true },
  { name: "stat a directory's contents (/.)", ...arc, request: head("/bin/."), compare: "status", pathStat: true },
  { name: "stat a relative path", ...arc, request: head("etc"), compare: "status", pathStat: true },
  { name: "stat the root", ...arc, request: head("/"), compare: "status", pathStat: true },
  { name: "stat a symlink", ...arc, request: head("/bin/sh"), compare: "status", pathStat: true },
  { name: "stat a missing path", ...arc, request: head("/nope"), compare: "status" },
  { name: "get a missing path", ...arc, request: get("arc", "/nope"), compare: "exact" },
  {
    name: "get without a path",
    setup: [create("arc")],
    cleanup: [remove("arc")],
    request: { method: "GET", path: "/containers/arc/archive" },
    compare: "exact",
    subject: { status: 400, body: { message: "bad parameter: path cannot be empty" }, why: "Docker 28 fixed the missing space of 20.10's 'pathcannot be empty'" },
  },
  { name: "get from an unknown container", request: get("nope", "/etc"), compare: "exact" },
  { name: "get a file below a file", ...arc, request: get("arc", "/etc/passwd/"), compare: "status" },
  { name: "get a file", ...arc, request: get("arc", "/etc/passwd"), compare: "status", tarNames: true, pathStat: true, headerValues: ["Content-Type"] },
  { name: "get a symlink itself", ...arc, request: get("arc", "/bin/sh"), compare: "status", tarNames: true, pathStat: true },
  { name: "get a directory under its base name", ...arc, request: get("arc", "/root"), compare: "status", tarNames: true, pathStat: true },
  { name: "get a directory's contents (/.)", ...arc, request: get("arc", "/root/."), compare: "status", tarNames: true },
  {
    name: "put into a created container, then get it",
    ...files,
    setup: [create("arc-put"), put("arc-put", "path=/tmp", dirTar)],
    request: get("arc-put", "/tmp/d"),
    compare: "status",
    tarNames: true,
    cleanup: [remove("arc-put")],
  },
  {
    name: "put does not start a created container",
    ...files,
    setup: [create("arc-put"), put("arc-put", "path=/tmp", dirTar)],
    request: { method: "GET", path: "/containers/arc-put/json" },
    compare: "shape",
    ignore: ["HostConfig", "NetworkSettings", "GraphDriver", "Config", "Mounts", "State.Health"],
    cleanup: [remove("arc-put")],
  },
  { name: "put a relative path", ...arc, request: put("arc", "path=tmp", dirTar), compare: "exact" },
  { name: "put into a missing directory", ...arc, request: put("arc", "path=/nope", dirTar), compare: "exact" },
  {
    name: "put into a file",
    ...arc,
    request: put("arc", "path=/etc/passwd", dirTar),
    compare: "exact",
    subject: { status: 400, body: { message: "extraction point is not a directory" }, why: "Docker 28 answers this as invalid input (errdefs.InvalidParameter); 20.10 answered 500" },
  },
  { name: "put into an unknown container", request: put("nope", "path=/tmp", dirTar), compare: "exact" },
  {
    name: "put a file over a directory with noOverwriteDirNonDir",
    ...files,
    setup: [create("arc"), put("arc", "path=/root", dirTar)],
    request: put("arc", "path=/root&noOverwriteDirNonDir=1", [{ name: "d", data: "file" }]),
    compare: "exact",
    subject: { status: 500, body: { message: 'cannot overwrite directory "/root/d" with non-directory "/root"' }, why: docker28 },
    cleanup: [remove("arc")],
  },
  {
    name: "put a directory over a file with noOverwriteDirNonDir",
    ...files,
    setup: [create("arc"), put("arc", "path=/root", [{ name: "f", data: "file" }])],
    request: put("arc", "path=/root&noOverwriteDirNonDir=true", [{ name: "f/", type: "directory" }]),
    compare: "exact",
    subject: { status: 500, body: { message: 'cannot overwrite non-directory "/root/f" with directory "/root"' }, why: docker28 },
    cleanup: [remove("arc")],
  },
  {
    name: "put a file over a directory without noOverwriteDirNonDir",
    ...files,
    setup: [create("arc"), put("arc", "path=/root", dirTar), put("arc", "path=/root", [{ name: "d", data: "file" }])],
    request: get("arc", "/root/d"),
    compare: "status",
    tarNames: true,
    pathStat: true,
    cleanup: [remove("arc")],
  },
  {
    name: "put an entry that climbs out",
    ...arc,
    request: put("arc", "path=/root", [{ name: "a/../../escape", data: "x" }]),
    compare: "exact",
    subject: { status: 500, body: { message: '"../escape" is outside of "/root"' }, why: docker28 },
  },
  {
    name: "put a relative symlink that climbs out",
    ...arc,
    request: put("arc", "path=/root", [{ name: "sl", type: "symlink", linkname: "../../etc" }]),
    compare: "exact",
    subject: { status: 500, body: { message: 'invalid symlink "/root/sl" -> "../../etc"' }, why: docker28 },
  },
  {
    name: "put a hard link that climbs out",
    ...arc,
    request: put("arc", "path=/root", [{ name: "hl", type: "link", linkname: "../../etc/passwd" }]),
    compare: "exact",
    subject: { status: 500, body: { message: 'invalid hardlink "/etc/passwd" -> "../../etc/passwd"' }, why: docker28 },
  },
  {
    name: "put an absolute symlink",
    ...files,
    setup: [create("arc"), put("arc", "path=/root", [{ name: "sl", type: "symlink", linkname: "/etc" }])],
    request: get("arc", "/root/sl"),
    compare: "status",
    tarNames: true,
    pathStat: true,
    cleanup: [remove("arc")],
  },
  {
    name: "put a gzipped tar",
    ...files,
    setup: [create("arc"), put("arc", "path=/root", dirTar, true)],
    request: get("arc", "/root/d"),
    compare: "status",
    tarNames: true,
    cleanup: [remove("arc")],
  },
  { name: "put an empty body", ...arc, request: { method: "PUT", path: "/containers/arc/archive?path=/root", body: "", headers: { "Content-Type": "application/x-tar" } }, compare: "status" },
  { name: "put a body that is not a tar", ...arc, request: { method: "PUT", path: "/containers/arc/archive?path=/root", body: "garbage\n", headers: { "Content-Type": "application/x-tar" } }, compare: "status" },
  { name: "export a created container", ...arc, request: { method: "GET", path: "/containers/arc/export" }, compare: "status", headerValues: ["Content-Type"] },
  { name: "export an unknown container", request: { method: "GET", path: "/containers/nope/export" }, compare: "exact" },
  { name: "changes of a created container", ...arc, request: { method: "GET", path: "/containers/arc/changes" }, compare: "exact" },
  { name: "changes of an unknown container", request: { method: "GET", path: "/containers/nope/changes" }, compare: "exact" },
  {
    name: "changes after copying into a created container",
    ...files,
    setup: [create("arc"), put("arc", "path=/tmp", dirTar)],
    request: { method: "GET", path: "/containers/arc/changes" },
    compare: "exact",
    unordered: true,
    cleanup: [remove("arc")],
  },
  {
    name: "changes after a run, and a stopped container's files",
    ...files,
    setup: [
      create("arc-run", ["sh", "-c", "mkdir /tmp/n && echo x > /tmp/n/f && rm /bin/ls"]),
      { method: "POST", path: "/containers/arc-run/start" },
      { method: "POST", path: "/containers/arc-run/wait" },
    ],
    request: { method: "GET", path: "/containers/arc-run/changes" },
    compare: "exact",
    unordered: true,
    cleanup: [remove("arc-run")],
  },
  {
    name: "get from a stopped container",
    ...files,
    setup: [
      create("arc-run", ["sh", "-c", "mkdir /tmp/n && echo x > /tmp/n/f"]),
      { method: "POST", path: "/containers/arc-run/start" },
      { method: "POST", path: "/containers/arc-run/wait" },
    ],
    request: get("arc-run", "/tmp/n"),
    compare: "status",
    tarNames: true,
    cleanup: [remove("arc-run")],
  },
];
