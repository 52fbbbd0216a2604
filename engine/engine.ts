import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { eq } from "drizzle-orm";
import type { Backend } from "../backends/backend.js";
import { MAX_API_VERSION, MIN_API_VERSION } from "./api-version.js";
import { hostFacts, openFileCount } from "./host.js";
import { SOCKERLESS_VERSION } from "./package-info.js";
import type { State } from "./state/db.js";
import { daemonMeta } from "./state/schema.js";
import { join } from "node:path";
import { ExecManager } from "./containers/exec.js";
import { ContainerManager } from "./containers/manager.js";
import { EventLog } from "./events/log.js";
import { EventFilter } from "./events/filter.js";
import { FilterArgs } from "./filter-args.js";
import { LayerStore } from "./images/layer.js";
import { ImageStore } from "./images/store.js";
import { saveImages } from "./images/save.js";
import { pushImageById } from "./images/push-by-id.js";
import { LayerDistribution } from "./images/distribution.js";
import { collectGarbage } from "./images/gc.js";
import { ContainerAttachments } from "./containers/attachments.js";
import { BindRoots } from "./volumes/bind-roots.js";
import { ContainerMounts } from "./volumes/container-mounts.js";
import { VolumeStore } from "./volumes/store.js";
import { ContainerNetworks } from "./networks/container-networks.js";
import { NetworkStore } from "./networks/store.js";
import { unsupportedFeatures } from "./containers/capabilities.js";

export interface EngineOptions {
  dataDir: string;
  /** Registries (HOST[:PORT]) reached over plain HTTP besides loopback ones (--insecure-registry). */
  insecureRegistries?: string[];
  /** Host directories clients may bind-mount (serve --bind-root); none by default. */
  bindRoots?: string[];
}

/** The one place Docker semantics live; frontends and backends go through it. */
export class Engine {
  readonly id: string;
  readonly images: ImageStore;
  readonly containers: ContainerManager;
  readonly execs: ExecManager;
  readonly volumes: VolumeStore;
  readonly networks: NetworkStore;
  readonly attachments: ContainerAttachments;
  readonly events = new EventLog();
  readonly distribution: LayerDistribution;
  private readonly host = hostFacts();

  constructor(
    readonly state: State,
    readonly backend: Backend,
    readonly options: EngineOptions,
  ) {
    this.id = this.daemonId();
    this.images = new ImageStore(state.db, new LayerStore(join(options.dataDir, "layers")), this.events);
    backend.useImages?.({
      save: (id) => saveImages(this.images, [id]),
      push: (id, reference, auth) => pushImageById({ store: this.images, distribution: this.distribution, access: { auth, insecure: options.insecureRegistries ?? [] } }, id, reference),
    });
    this.distribution = new LayerDistribution(this.images.layers);
    this.volumes = new VolumeStore(state.db, options.dataDir, this.events, new BindRoots(options.bindRoots ?? []));
    this.networks = new NetworkStore(state.db, this.events);
    this.attachments = new ContainerAttachments(new ContainerMounts(state.db, this.volumes, this.events), new ContainerNetworks(state.db, this.networks, this.events));
    this.containers = new ContainerManager(state.db, this.images, backend, this.events, this.attachments);
    this.containers.recover();
    this.images.layers.discardUnfinished();
    // Downloads and archives a killed daemon was unpacking: nothing resumes them.
    rmSync(this.scratchDir, { recursive: true, force: true });
    collectGarbage(this.images);
    // A removed container may have been the last user of a removed image's layers.
    const destroyed = new EventFilter(FilterArgs.fromJson('{"type":{"container":true},"event":{"destroy":true}}'));
    this.events.watch(destroyed, () => collectGarbage(this.images));
    this.execs = new ExecManager(this.containers, backend, this.events);
  }

  /** A private directory for work in progress (archive unpacking), inside the data directory. */
  get scratchDir(): string {
    return join(this.options.dataDir, "tmp");
  }

  private daemonId(): string {
    const { db } = this.state;
    const row = db.select().from(daemonMeta).where(eq(daemonMeta.key, "id")).get();
    if (row) return row.value;
    const id = randomUUID();
    db.insert(daemonMeta).values({ key: "id", value: id }).run();
    return id;
  }

  version() {
    const h = this.host;
    const backend = this.backend.describe();
    return {
      Platform: { Name: "Sockerless" },
      Components: [
        {
          Name: "Engine",
          Version: SOCKERLESS_VERSION,
          Details: {
            ApiVersion: MAX_API_VERSION,
            MinAPIVersion: MIN_API_VERSION,
            Arch: h.arch,
            Os: "linux",
            KernelVersion: h.kernelVersion,
            Experimental: "false",
            NodeVersion: process.versions.node,
          },
        },
        {
          Name: `backend ${backend.name}`,
          Version: backend.version,
          Details: { Summary: backend.summary, Unsupported: unsupportedFeatures(this.backend).join(",") },
        },
      ],
      Version: SOCKERLESS_VERSION,
      ApiVersion: MAX_API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      Os: "linux",
      Arch: h.arch,
      KernelVersion: h.kernelVersion,
    };
  }

  info() {
    const h = this.host;
    const backend = this.backend.describe();
    const counts = this.containers.count();
    return {
      ID: this.id,
      Containers: counts.total,
      ContainersRunning: counts.running,
      ContainersPaused: counts.paused,
      ContainersStopped: counts.stopped,
      Images: this.images.count(),
      Driver: `sockerless-${backend.name}`,
      DriverStatus: [["Backend", backend.summary]],
      DockerRootDir: this.options.dataDir,
      Plugins: { Volume: ["local"], Network: ["bridge", "host", "null"], Authorization: null, Log: ["local"] },
      MemoryLimit: false,
      SwapLimit: false,
      CpuCfsPeriod: false,
      CpuCfsQuota: false,
      CPUShares: false,
      CPUSet: false,
      PidsLimit: false,
      OomKillDisable: false,
      IPv4Forwarding: false,
      Debug: false,
      NFd: openFileCount(),
      SystemTime: new Date().toISOString(),
      LoggingDriver: "local",
      CgroupDriver: "none",
      CgroupVersion: "",
      NEventsListener: this.events.listeners,
      KernelVersion: h.kernelVersion,
      OperatingSystem: h.operatingSystem,
      OSVersion: h.osVersion,
      OSType: "linux",
      Architecture: h.architecture,
      IndexServerAddress: "https://index.docker.io/v1/",
      RegistryConfig: {
        InsecureRegistryCIDRs: ["127.0.0.0/8", "::1/128"],
        IndexConfigs: { "docker.io": { Name: "docker.io", Mirrors: [], Secure: true, Official: true } },
        Mirrors: [],
      },
      NCPU: h.ncpu,
      MemTotal: h.memTotal,
      GenericResources: null,
      HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? "",
      HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? "",
      NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? "",
      Name: h.hostname,
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: SOCKERLESS_VERSION,
      Runtimes: { [backend.name]: {} },
      DefaultRuntime: backend.name,
      Swarm: {
        NodeID: "",
        NodeAddr: "",
        LocalNodeState: "inactive",
        ControlAvailable: false,
        Error: "",
        RemoteManagers: null,
      },
      LiveRestoreEnabled: false,
      Isolation: "",
      InitBinary: "",
      ContainerdCommit: { ID: "" },
      RuncCommit: { ID: "" },
      InitCommit: { ID: "" },
      SecurityOptions: [],
      CDISpecDirs: [],
      Warnings: [],
    };
  }
}
