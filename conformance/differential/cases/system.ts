import type { Case } from "../case.js";

const pingHeaders = ["Api-Version", "Ostype", "Docker-Experimental", "Cache-Control", "Pragma", "Content-Type", "Server"];

/** Fields of the reference's /version that only a Go program with build stamping has. */
const notGo = ["GoVersion", "GitCommit", "BuildTime"];

/** Fields of the reference's /info that API 1.51 no longer sends, or that describe Go internals. */
const infoRetired = [
  "KernelMemory", // removed in API 1.42
  "KernelMemoryTCP", // removed in API 1.46
  "BridgeNfIptables", // omitted since API 1.50
  "BridgeNfIp6tables", // omitted since API 1.50
  "ContainerdCommit.Expected", // deprecated in API 1.48, omitted in 1.49
  "RuncCommit.Expected",
  "InitCommit.Expected",
  "RegistryConfig.AllowNondistributableArtifactsCIDRs", // removed in API 1.49
  "RegistryConfig.AllowNondistributableArtifactsHostnames",
  "NGoroutines", // a Go runtime figure; this daemon has no goroutines
  "Runtimes", // keyed by runtime name: runc there, the backend here
];

export const systemCases: Case[] = [
  { name: "GET /_ping", request: { method: "GET", path: "/_ping" }, compare: "exact", headers: pingHeaders },
  { name: "HEAD /_ping", request: { method: "HEAD", path: "/_ping" }, compare: "exact", headers: pingHeaders },
  { name: "GET /v1.24/_ping", request: { method: "GET", path: "/v1.24/_ping" }, compare: "exact", headers: ["Api-Version"] },
  { name: "GET /v1.41/_ping", request: { method: "GET", path: "/v1.41/_ping" }, compare: "exact" },
  { name: "GET /version shape", request: { method: "GET", path: "/version" }, compare: "shape", ignore: notGo },
  { name: "GET /v1.41/version shape", request: { method: "GET", path: "/v1.41/version" }, compare: "shape", ignore: notGo },
  { name: "GET /v1.41/info shape", request: { method: "GET", path: "/v1.41/info" }, compare: "shape", ignore: infoRetired },
  { name: "GET /info shape", request: { method: "GET", path: "/info" }, compare: "shape", ignore: infoRetired },
  { name: "too-new version", request: { method: "GET", path: "/v1.99/version" }, compare: "exact" },
  { name: "too-new major version", request: { method: "GET", path: "/v2.0/_ping" }, compare: "exact" },
  { name: "too-old version", request: { method: "GET", path: "/v1.11/version" }, compare: "exact" },
  { name: "single-number version", request: { method: "GET", path: "/v1/info" }, compare: "exact" },
  { name: "version with an empty part", request: { method: "GET", path: "/v1..2/version" }, compare: "exact" },
  {
    name: "version between the engines' minimums",
    request: { method: "GET", path: "/v1.20/version" },
    compare: "exact",
    subject: {
      status: 400,
      body: { message: "client version 1.20 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version" },
      why: "Docker 28 serves API 1.24 and later; the 20.10 reference still serves 1.12",
    },
  },
  { name: "non-numeric version prefix", request: { method: "GET", path: "/vfoo/version" }, compare: "exact" },
  { name: "half-numeric version prefix", request: { method: "GET", path: "/v1.x/_ping" }, compare: "exact" },
  { name: "unknown route", request: { method: "GET", path: "/nope" }, compare: "exact" },
  { name: "unknown route under a version", request: { method: "GET", path: "/v1.41/nope/deeper" }, compare: "exact" },
  { name: "wrong method on /_ping", request: { method: "DELETE", path: "/_ping" }, compare: "exact" },
  { name: "wrong method on /version", request: { method: "POST", path: "/version" }, compare: "exact" },
  { name: "wrong method on /info", request: { method: "PUT", path: "/v1.41/info", body: "{}" }, compare: "exact" },
];
