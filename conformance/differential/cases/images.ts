import type { Case, Step, TarEntry } from "../case.js";

const busybox = "sockerless-test/busybox";
const filters = (f: object) => encodeURIComponent(JSON.stringify(f));
const tag = (repo: string, t = ""): Step => ({ method: "POST", path: `/images/${busybox}/tag?repo=${repo}${t ? `&tag=${t}` : ""}` });
const rmi = (name: string, q = "force=1"): Step => ({ method: "DELETE", path: `/images/${name}?${q}` });
const removeContainer = (name: string): Step => ({ method: "DELETE", path: `/containers/${name}?force=1` });
const createNamed = (name: string, image: string, body: object = {}): Step => ({ method: "POST", path: `/containers/create?name=${name}`, body: { Image: image, Cmd: ["true"], ...body } });
const rootfs: TarEntry[] = [
  { name: "etc/", type: "directory" },
  { name: "etc/hello.txt", data: "hello\n" },
];
const importAs = (repo: string, query = ""): Step => ({ method: "POST", path: `/images/create?fromSrc=-&repo=${repo}${query}`, tar: rootfs });
/** Each import has its own creation time, so its ID differs between engines; the time-derived fields are left out. */
const importedWhy = "an imported image's config holds its creation time, so its ID and times differ between engines";

const invalidWhy = "dockerd 23+ answers invalid references and filters with 400 (errdefs.InvalidParameter); 20.10 answered 500";
const filterWhy = "moby's filters.Args.Validate says \"invalid filter\" since Docker 23; 20.10 capitalised it";
const v141 = (path: string): Step => ({ method: "GET", path: `/v1.41${path}` });

/** Image tag, remove, list, history, save, import, commit and prune. */
export const imageCases: Case[] = [
  // tag
  { name: "tag an image", request: tag("img-t1", "v1"), compare: "exact", cleanup: [rmi("img-t1:v1")] },
  {
    name: "tag with an uppercase repository",
    request: tag("Img-Upper"),
    compare: "exact",
    subject: { status: 400, body: { message: "invalid reference format: repository name (library/Img-Upper) must be lowercase" }, why: invalidWhy },
  },
  { name: "tag with an invalid tag", request: tag("img-t2", "bad%3Atag"), compare: "status", subject: { status: 400, why: invalidWhy } },
  { name: "tag with a digest algorithm as name", request: tag("sha256"), compare: "exact" },
  { name: "tag a missing image", request: { method: "POST", path: "/images/img-missing/tag?repo=img-t3" }, compare: "exact" },
  {
    name: "tag with a 64-hex repository",
    request: tag("a".repeat(64)),
    compare: "exact",
    subject: { status: 400, body: { message: `invalid repository name (${"a".repeat(64)}), cannot specify 64-byte hexadecimal strings` }, why: invalidWhy },
  },
  {
    name: "a tag moves to the image it names now",
    setup: [tag("img-t4"), importAs("img-other"), { method: "POST", path: "/images/img-other/tag?repo=img-t4" }],
    request: v141("/images/img-t4/json"),
    compare: "shape",
    ignore: ["ContainerConfig.OnBuild"],
    why: "container.Config's OnBuild is omitempty since Docker 25",
    cleanup: [rmi("img-t4"), rmi("img-other")],
  },
  // remove
  { name: "untag one of several tags", setup: [tag("img-r1")], request: rmi("img-r1", ""), compare: "exact" },
  { name: "remove a missing image", request: rmi("img-nope", ""), compare: "exact" },
  { name: "remove with a blank name", request: { method: "DELETE", path: "/images/%20" }, compare: "exact" },
  { name: "remove a tag by its digest-like name", request: rmi(`img-r2@sha256:${"b".repeat(64)}`, ""), compare: "exact" },
  {
    name: "remove the only tag of an image a container uses",
    setup: [importAs("img-r3"), createNamed("img-c3", "img-r3")],
    request: rmi("img-r3", ""),
    compare: "exact",
    ignore: ["message"],
    why: importedWhy,
    cleanup: [removeContainer("img-c3"), rmi("img-r3")],
  },
  {
    name: "force-remove an image a stopped container uses",
    setup: [importAs("img-r4"), createNamed("img-c4", "img-r4")],
    request: rmi("img-r4", "force=1"),
    compare: "shape",
    cleanup: [removeContainer("img-c4")],
  },
  {
    name: "untag an image a running container uses, by one of its tags",
    setup: [tag("img-r5"), createNamed("img-c5", "img-r5", { Cmd: ["sleep", "infinity"] }), { method: "POST", path: "/containers/img-c5/start" }],
    request: rmi("img-r5", "force=1"),
    compare: "exact",
    cleanup: [removeContainer("img-c5")],
  },
  { name: "remove an imported image by tag", setup: [importAs("img-r6")], request: rmi("img-r6", ""), compare: "shape" },
  // list
  { name: "list with a reference glob", setup: [tag("img-l1/x")], request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ reference: ["img-l1/*"] })}` }, compare: "exact", cleanup: [rmi("img-l1/x", "")] },
  { name: "list with a reference and tag glob", setup: [tag("img-l2", "v9")], request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ reference: ["img-l2:v*"] })}` }, compare: "exact", cleanup: [rmi("img-l2:v9", "")] },
  {
    name: "list with a fully qualified reference",
    setup: [tag("img-l3")],
    request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ reference: ["docker.io/library/img-l3"] })}` },
    compare: "shape",
    subject: { status: 200, why: "moby's image list matches a reference filter against the fully qualified name too (daemon/images/image_list.go); 20.10 matched familiar names only" },
    cleanup: [rmi("img-l3", "")],
  },
  { name: "list dangling images", request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ dangling: ["true"] })}` }, compare: "exact" },
  {
    name: "list with a bad dangling value",
    request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ dangling: ["maybe"] })}` },
    compare: "exact",
    subject: { status: 400, body: { message: "invalid filter 'dangling=[maybe]'" }, why: filterWhy },
  },
  {
    name: "list with an unknown filter",
    request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ color: ["red"] })}` },
    compare: "exact",
    subject: { status: 400, body: { message: "invalid filter 'color'" }, why: filterWhy },
  },
  { name: "list with a missing label", request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ label: ["no-such-label"] })}` }, compare: "exact" },
  { name: "list before a missing image", request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ before: ["img-none"] })}` }, compare: "exact" },
  { name: "list since the test image", request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ since: [busybox], reference: [busybox] })}` }, compare: "exact" },
  { name: "list before the test image", request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ before: [busybox], reference: [busybox] })}` }, compare: "exact" },
  { name: "list the test image", request: { method: "GET", path: `/v1.41/images/json?filters=${filters({ reference: [busybox] })}` }, compare: "exact" },
  {
    name: "list with shared sizes",
    request: { method: "GET", path: `/images/json?shared-size=1&filters=${filters({ reference: [busybox] })}` },
    compare: "exact",
    subject: { status: 200, why: "shared-size is API 1.42; the reference (1.41) ignores it and answers SharedSize -1" },
  },
  // history
  { name: "history of the test image", request: { method: "GET", path: `/images/${busybox}/history` }, compare: "exact" },
  { name: "history of a missing image", request: { method: "GET", path: "/images/img-nope/history" }, compare: "exact" },
  { name: "history of an imported image", setup: [importAs("img-h1", "&message=hello")], request: { method: "GET", path: "/images/img-h1/history" }, compare: "shape", cleanup: [rmi("img-h1")] },
  // save
  { name: "save the test image", request: { method: "GET", path: `/images/${busybox}/get` }, compare: "status", headerValues: ["Content-Type"] },
  { name: "save a missing image", request: { method: "GET", path: "/images/img-nope/get" }, compare: "exact" },
  { name: "save several images by name", setup: [tag("img-s1")], request: { method: "GET", path: `/images/get?names=${busybox}&names=img-s1` }, compare: "status", cleanup: [rmi("img-s1", "")] },
  // import
  { name: "import a tarball", request: importAs("img-i1", "&tag=v1"), compare: "shape", cleanup: [rmi("img-i1:v1")] },
  {
    name: "an imported image's config",
    setup: [importAs("img-i2", "&message=msg&changes=ENV%20A%3Db&changes=CMD%20%5B%22sh%22%5D&changes=EXPOSE%2080")],
    request: { method: "GET", path: "/v1.41/images/img-i2/json" },
    compare: "exact",
    ignore: ["Id", "Created", "RootFS", "Metadata", "Size", "VirtualSize", "DockerVersion", "GraphDriver", "Architecture", "Config.Hostname", "ContainerConfig.Hostname", "ContainerConfig.OnBuild"],
    why: `${importedWhy}; container.Config's OnBuild is omitempty since Docker 25`,
    cleanup: [rmi("img-i2")],
  },
  { name: "import with an invalid change", request: importAs("img-i3", "&changes=RUN%20true"), compare: "exact" },
  { name: "import with a digest repository", request: importAs(`img-i4@sha256:${"a".repeat(64)}`), compare: "exact" },
  // commit
  {
    name: "commit a container",
    setup: [{ method: "POST", path: "/containers/create?name=img-cm1", body: { Image: busybox, Cmd: ["sh", "-c", "echo x > /new.txt"] } }, { method: "POST", path: "/containers/img-cm1/start" }, { method: "POST", path: "/containers/img-cm1/wait" }],
    request: { method: "POST", path: "/commit?container=img-cm1&repo=img-cm1&tag=v1&comment=c&author=a" },
    compare: "shape",
    cleanup: [removeContainer("img-cm1"), rmi("img-cm1:v1")],
  },
  {
    name: "a committed image's config",
    setup: [
      { method: "POST", path: "/containers/create?name=img-cm2", body: { Image: busybox, Cmd: ["sh", "-c", "rm /bin/ls"] } },
      { method: "POST", path: "/containers/img-cm2/start" },
      { method: "POST", path: "/containers/img-cm2/wait" },
      { method: "POST", path: "/commit?container=img-cm2&repo=img-cm2&author=me&changes=ENV%20B%3Dc&changes=LABEL%20k%3Dv" },
    ],
    request: { method: "GET", path: "/v1.41/images/img-cm2/json" },
    compare: "exact",
    ignore: ["Id", "Created", "RootFS.Layers", "Metadata", "Size", "VirtualSize", "DockerVersion", "GraphDriver", "Container", "Config.Hostname", "ContainerConfig.Hostname", "Parent", "Config.NetworkDisabled", "ContainerConfig.NetworkDisabled", "ContainerConfig.OnBuild"],
    why: "a commit holds its container's ID, creation time and layer; the reference runs without a bridge and marks containers NetworkDisabled",
    cleanup: [removeContainer("img-cm2"), rmi("img-cm2")],
  },
  { name: "commit a missing container", request: { method: "POST", path: "/commit?container=img-nope" }, compare: "exact" },
  { name: "commit with an invalid change", setup: [createNamed("img-cm3", busybox)], request: { method: "POST", path: "/commit?container=img-cm3&changes=FROM%20x" }, compare: "exact", cleanup: [removeContainer("img-cm3")] },
  // prune
  {
    name: "prune with an unknown filter",
    request: { method: "POST", path: `/images/prune?filters=${filters({ color: ["red"] })}` },
    compare: "exact",
    subject: { status: 400, body: { message: "invalid filter 'color'" }, why: filterWhy },
  },
  {
    name: "prune with two until filters",
    request: { method: "POST", path: `/images/prune?filters=${filters({ until: ["1h", "2h"] })}` },
    compare: "exact",
    subject: { status: 400, body: { message: "more than one until filter specified" }, why: invalidWhy },
  },
  { name: "prune dangling images when there are none", request: { method: "POST", path: "/images/prune" }, compare: "exact" },
  {
    name: "prune a dangling imported image",
    setup: [{ method: "POST", path: "/images/create?fromSrc=-", tar: [{ name: "only-this.txt", data: "prune me\n" }] }],
    request: { method: "POST", path: "/images/prune" },
    compare: "shape",
  },
];
