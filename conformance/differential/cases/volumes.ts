import type { Case, Step } from "../case.js";

const busybox = "sockerless-test/busybox";
const json = (path: string, body: object): Step => ({ method: "POST", path, body });
const createVolume = (name: string, extra: object = {}): Step => json("/volumes/create", { Name: name, ...extra });
const removeVolume = (name: string): Step => ({ method: "DELETE", path: `/volumes/${name}?force=1` });
const createContainer = (name: string, hostConfig: object, extra: object = {}): Step => json(`/containers/create?name=${name}`, { Image: busybox, Cmd: ["true"], HostConfig: hostConfig, ...extra });
const removeContainer = (name: string): Step => ({ method: "DELETE", path: `/containers/${name}?force=1&v=1` });
const filters = (f: object) => encodeURIComponent(JSON.stringify(f));
/** Mountpoints are under each engine's own data root. */
const mountpoint = { ignore: ["CreatedAt", "Mountpoint"], why: "creation times and data roots differ between the engines" };
const bindsWhy = "API 1.51 answers Binds parse errors with 400 (errdefs.InvalidParameter since moby 23); the reference (20.10) answers 500";
const lowercaseFilter = "API 1.51 (moby 23+) refuses unknown volume filters through filters.Validate, in lower case";

/** Volumes: create, inspect, list, remove, prune, and the mounts containers make of them. */
export const volumeCases: Case[] = [
  { name: "create a named volume", request: createVolume("cv-a", { Labels: { k: "v" } }), compare: "exact", ...mountpoint, cleanup: [removeVolume("cv-a")] },
  { name: "create returns the existing volume of that name", setup: [createVolume("cv-a", { Labels: { k: "v" } })], request: createVolume("cv-a", { Labels: { other: "x" } }), compare: "exact", ...mountpoint, cleanup: [removeVolume("cv-a")] },
  { name: "create with a one-character name", request: createVolume("a"), compare: "exact" },
  { name: "create with a name holding ..", request: createVolume("../x"), compare: "exact" },
  { name: "create with an unknown driver option", request: createVolume("cv-o", { DriverOpts: { foo: "bar" } }), compare: "exact" },
  { name: "create with a type and no device", request: createVolume("cv-o", { DriverOpts: { type: "tmpfs" } }), compare: "exact" },
  { name: "create with an unknown driver", request: createVolume("cv-o", { Driver: "nope" }), compare: "exact" },
  { name: "create a tmpfs volume", request: createVolume("cv-t", { DriverOpts: { type: "tmpfs", device: "tmpfs", o: "size=1m" } }), compare: "exact", ...mountpoint, cleanup: [removeVolume("cv-t")] },
  { name: "inspect an unknown volume", request: { method: "GET", path: "/volumes/cv-nope" }, compare: "exact" },
  { name: "remove an unknown volume", request: { method: "DELETE", path: "/volumes/cv-nope" }, compare: "exact" },
  { name: "force-remove an unknown volume", request: { method: "DELETE", path: "/volumes/cv-nope?force=1" }, compare: "exact" },
  {
    name: "list by name and label",
    setup: [createVolume("cv-l1", { Labels: { team: "a" } }), createVolume("cv-l2", { Labels: { team: "b" } })],
    request: { method: "GET", path: `/volumes?filters=${filters({ name: ["cv-l"], label: ["team=a"] })}` },
    compare: "exact",
    ignore: ["Volumes.Mountpoint"],
    why: "creation times and data roots differ between the engines",
    cleanup: [removeVolume("cv-l1"), removeVolume("cv-l2")],
  },
  {
    name: "list with an unknown filter",
    request: { method: "GET", path: `/volumes?filters=${filters({ bogus: ["x"] })}` },
    compare: "exact",
    subject: { status: 400, body: { message: "invalid filter 'bogus'" }, why: lowercaseFilter },
  },
  {
    name: "list with a bad dangling value",
    request: { method: "GET", path: `/volumes?filters=${filters({ dangling: ["x"] })}` },
    compare: "exact",
    subject: { status: 400, body: { message: "invalid filter 'dangling=[x]'" }, why: lowercaseFilter },
  },
  {
    name: "a volume in use cannot be removed",
    setup: [createContainer("cv-u", { Binds: ["cv-used:/data"] })],
    request: { method: "DELETE", path: "/volumes/cv-used" },
    compare: "status",
    cleanup: [removeContainer("cv-u"), removeVolume("cv-used")],
  },
  {
    name: "dangling=false lists the volumes containers use",
    setup: [createContainer("cv-d", { Binds: ["cv-dangle:/data"] })],
    request: { method: "GET", path: `/volumes?filters=${filters({ dangling: ["false"], name: ["cv-dangle"] })}` },
    compare: "exact",
    ignore: ["Volumes.Mountpoint"],
    why: "creation times and data roots differ between the engines",
    cleanup: [removeContainer("cv-d"), removeVolume("cv-dangle")],
  },
  {
    name: "a named volume from Binds in inspect's Mounts",
    setup: [createContainer("cv-m1", { Binds: ["cv-mv:/data:ro"] })],
    request: { method: "GET", path: "/v1.41/containers/cv-m1/json" },
    compare: "shape",
    ignore: ["NetworkSettings.Networks"],
    why: "the reference engine runs without a bridge; Mounts' values are compared by the sandbox's own tests",
    cleanup: [removeContainer("cv-m1"), removeVolume("cv-mv")],
  },
  { name: "duplicate mount points in Binds", request: createContainer("cv-bad", { Binds: ["cv-x1:/x", "cv-x2:/x"] }), compare: "exact" },
  {
    name: "a relative destination in Binds",
    request: createContainer("cv-bad", { Binds: ["cv-x1:x"] }),
    compare: "exact",
    subject: { status: 400, body: { message: `invalid volume specification: 'cv-x1:x': invalid mount config for type "volume": invalid mount path: 'x' mount path must be absolute` }, why: bindsWhy },
  },
  { name: "an invalid mode in Binds", request: createContainer("cv-bad", { Binds: ["cv-x1:/x:zz"] }), compare: "exact", subject: { status: 400, body: { message: "invalid mode: zz" }, why: bindsWhy } },
  { name: "a destination and mode only", request: createContainer("cv-bad", { Binds: ["/x:rw"] }), compare: "exact", subject: { status: 400, body: { message: "invalid volume specification: '/x:rw'" }, why: bindsWhy } },
  { name: "an unknown mount type", request: createContainer("cv-bad", { Mounts: [{ Type: "foo", Target: "/x" }] }), compare: "exact" },
  { name: "a tmpfs mount with a source", request: createContainer("cv-bad", { Mounts: [{ Type: "tmpfs", Target: "/x", Source: "a" }] }), compare: "exact" },
  { name: "a read-only anonymous volume", request: createContainer("cv-bad", { Mounts: [{ Type: "volume", Target: "/x", ReadOnly: true }] }), compare: "exact" },
  { name: "a volume mounted at /", request: createContainer("cv-bad", { Mounts: [{ Type: "volume", Target: "/" }] }), compare: "exact" },
  { name: "a bind without a source", request: createContainer("cv-bad", { Mounts: [{ Type: "bind", Target: "/x" }] }), compare: "exact" },
  { name: "a bind with volume options", request: createContainer("cv-bad", { Mounts: [{ Type: "bind", Source: "/tmp", Target: "/x", VolumeOptions: {} }] }), compare: "exact" },
  { name: "a Mounts volume named with ..", request: createContainer("cv-bad", { Mounts: [{ Type: "volume", Source: "../x", Target: "/x" }] }), compare: "exact" },
  {
    name: "prune removes nothing in use",
    setup: [createContainer("cv-p", { Binds: ["cv-keep:/data"] })],
    request: { method: "POST", path: `/volumes/prune?filters=${filters({ label: ["cv-none"] })}` },
    compare: "exact",
    cleanup: [removeContainer("cv-p"), removeVolume("cv-keep")],
  },
];
