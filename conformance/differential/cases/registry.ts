import type { Case, Step } from "../case.js";

/** The local registry conformance/run.sh starts (conformance/registry/start.sh). */
const registry = process.env.CONFORMANCE_REGISTRY ?? "127.0.0.1:5000";
const busybox = "sockerless-test/busybox";
const repo = `${registry}/diff/busybox`;
/** dockerd wants X-Registry-Auth (or a JSON body) on push; "{}" is anonymous. */
const anonymous = { "X-Registry-Auth": Buffer.from("{}").toString("base64") };
const pushed: Step[] = [
  { method: "POST", path: `/images/${busybox}/tag?repo=${repo}&tag=diff` },
  { method: "POST", path: `/images/${repo}/push?tag=diff`, headers: anonymous },
];
const untag: Step = { method: "DELETE", path: `/images/${repo}:diff` };
const pull = (query: string): Step => ({ method: "POST", path: `/images/create?${query}` });
const progress = ["status", "id", "progressDetail", "errorDetail.message"];

/** Pull, push, login and distribution inspect against a local registry (Debian's docker-registry). */
export const registryCases: Case[] = [
  {
    name: "pull an unknown tag",
    setup: pushed,
    request: pull(`fromImage=${repo}&tag=nope`),
    compare: "exact",
    cleanup: [untag],
  },
  { name: "pull from an unknown repository", request: pull(`fromImage=${registry}/diff/nothere&tag=v1`), compare: "exact" },
  {
    name: "pull an invalid reference",
    request: pull("fromImage=Bad&tag=latest"),
    compare: "exact",
    subject: {
      status: 400,
      body: { message: "invalid reference format: repository name (library/Bad) must be lowercase" },
      why: "dockerd 23+ answers invalid references with 400 (errdefs.InvalidParameter); 20.10 answered 500",
    },
  },
  { name: "pull an invalid tag", request: pull(`fromImage=${repo}&tag=-bad`), compare: "status", subject: { status: 400, why: "dockerd 23+ answers invalid references with 400; 20.10 answered 500" } },
  {
    name: "pull an image that is up to date: the progress stream",
    setup: pushed,
    request: pull(`fromImage=${repo}&tag=diff`),
    compare: "exact",
    lines: progress,
    cleanup: [untag],
  },
  {
    name: "push: the progress stream of a repository that has every layer",
    setup: pushed,
    request: { method: "POST", path: `/images/${repo}/push?tag=diff`, headers: anonymous },
    compare: "exact",
    lines: ["status", "id", "progressDetail", "aux.Tag", "errorDetail.message"],
    cleanup: [untag],
  },
  { name: "push a tag that does not exist", request: { method: "POST", path: `/images/${registry}/diff/none/push?tag=v1`, headers: anonymous }, compare: "exact", lines: progress },
  { name: "push without X-Registry-Auth", request: { method: "POST", path: `/images/${registry}/diff/none/push?tag=v1` }, compare: "exact" },
  { name: "distribution inspect", setup: pushed, request: { method: "GET", path: `/distribution/${repo}:diff/json` }, compare: "shape", cleanup: [untag] },
  { name: "distribution inspect of an unknown tag", request: { method: "GET", path: `/distribution/${repo}:nope/json` }, compare: "exact" },
  { name: "login to a registry without authentication", request: { method: "POST", path: "/auth", body: { serveraddress: registry } }, compare: "exact" },
];
