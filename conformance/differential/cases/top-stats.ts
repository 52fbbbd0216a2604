import type { Case, Step } from "../case.js";

const busybox = "sockerless-test/busybox";
const create = (name: string, body: object): Step => ({ method: "POST", path: `/containers/create?name=${name}`, body: { Image: busybox, ...body } });
const start = (name: string): Step => ({ method: "POST", path: `/containers/${name}/start` });
const remove = (name: string): Step => ({ method: "DELETE", path: `/containers/${name}?force=1` });

/** A running container with a memory limit (on the sandbox: a thread of its own, whose CPU and heap are measured). */
const running: Step[] = [create("lf-ts-run", { Cmd: ["sleep", "300"], HostConfig: { Memory: 64 * 1024 * 1024 } }), start("lf-ts-run")];
const exited: Step[] = [create("lf-ts-done", { Cmd: ["true"] }), start("lf-ts-done"), { method: "POST", path: "/containers/lf-ts-done/wait" }];
const notRunning = { why: "moby's v1.51 message is lower case; 20.10 capitalised it" };
const cgroupOnly = ["memory_stats.max_usage", "memory_stats.stats", "cpu_stats.cpu_usage.percpu_usage", "precpu_stats.cpu_usage.percpu_usage"];
const cgroupWhy = "max_usage, the cgroup's memory breakdown and per-CPU times exist only for cgroup-backed containers; Docker leaves them out when absent";

export const topStatsCases: Case[] = [
  { name: "top of a running container", needs: ["top"], setup: running, request: { method: "GET", path: "/containers/lf-ts-run/top" }, compare: "shape", cleanup: [remove("lf-ts-run")] },
  {
    name: "top of an exited container",
    setup: exited,
    request: { method: "GET", path: "/containers/lf-ts-done/top" },
    compare: "exact",
    subject: { status: 409, body: { message: "container <id> is not running" }, ...notRunning },
    cleanup: [remove("lf-ts-done")],
  },
  {
    name: "top of a created container",
    setup: [create("lf-ts-new", { Cmd: ["true"] })],
    request: { method: "GET", path: "/containers/lf-ts-new/top" },
    compare: "exact",
    subject: { status: 409, body: { message: "container <id> is not running" }, ...notRunning },
    cleanup: [remove("lf-ts-new")],
  },
  { name: "top of an unknown container", request: { method: "GET", path: "/containers/lf-nope/top" }, compare: "exact" },
  {
    name: "stats one-shot of a running container",
    needs: ["stats"],
    setup: running,
    request: { method: "GET", path: "/containers/lf-ts-run/stats?stream=0&one-shot=1" },
    compare: "shape",
    ignore: cgroupOnly,
    why: cgroupWhy,
    cleanup: [remove("lf-ts-run")],
  },
  {
    name: "stats stream=0 of a running container (two samples)",
    needs: ["stats"],
    setup: running,
    request: { method: "GET", path: "/containers/lf-ts-run/stats?stream=0" },
    compare: "shape",
    ignore: cgroupOnly,
    why: cgroupWhy,
    cleanup: [remove("lf-ts-run")],
  },
  { name: "stats of an exited container", setup: exited, request: { method: "GET", path: "/containers/lf-ts-done/stats?stream=0" }, compare: "exact", cleanup: [remove("lf-ts-done")] },
  { name: "stats one-shot of an exited container", setup: exited, request: { method: "GET", path: "/containers/lf-ts-done/stats?stream=0&one-shot=1" }, compare: "exact", cleanup: [remove("lf-ts-done")] },
  {
    name: "stats of a created container",
    setup: [create("lf-ts-new", { Cmd: ["true"] })],
    request: { method: "GET", path: "/containers/lf-ts-new/stats?stream=false" },
    compare: "exact",
    cleanup: [remove("lf-ts-new")],
  },
  { name: "stats of an unknown container", request: { method: "GET", path: "/containers/lf-nope/stats?stream=0" }, compare: "exact" },
];
