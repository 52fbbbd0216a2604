import { blob, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Daemon-wide facts that must survive restarts (its ID, first start time). */
export const daemonMeta = sqliteTable("daemon_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/** Images by ID (the digest of their config); the config is kept byte for byte. */
export const images = sqliteTable("images", {
  id: text("id").primaryKey(),
  config: text("config").notNull(),
  size: integer("size").notNull(),
  loadedAt: integer("loaded_at").notNull(),
  /** The image it was committed or built from (Docker's Parent), "" when pulled or loaded. */
  parent: text("parent").notNull().default(""),
  /** Deleted by a client (rmi -f) but kept while containers made from it exist, as their layers must stay. */
  removed: integer("removed", { mode: "boolean" }).notNull().default(false),
});

/** Repository tags ("busybox:latest") pointing at images. */
export const imageTags = sqliteTable(
  "image_tags",
  {
    tag: text("tag").primaryKey(),
    imageId: text("image_id")
      .notNull()
      .references(() => images.id, { onDelete: "cascade" }),
    taggedAt: integer("tagged_at").notNull(),
  },
  (t) => [index("image_tags_image").on(t.imageId)],
);

/** Containers: Docker's Config and HostConfig as given, and the state engine/ keeps. */
export const containers = sqliteTable(
  "containers",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull().unique(),
    imageId: text("image_id").notNull(),
    image: text("image").notNull(),
    created: text("created").notNull(),
    config: text("config", { mode: "json" }).notNull(),
    hostConfig: text("host_config", { mode: "json" }).notNull(),
    state: text("state", { mode: "json" }).notNull(),
    path: text("path").notNull(),
    args: text("args", { mode: "json" }).notNull(),
    restartCount: integer("restart_count").notNull().default(0),
    /** Docker's HasBeenManuallyStopped: a stop or kill by a client, which restart policies respect. */
    manuallyStopped: integer("manually_stopped", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("containers_image").on(t.imageId)],
);

/** Container output, one row per write, so logs survive restarts and stream in order. */
export const containerLogs = sqliteTable(
  "container_logs",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    containerId: text("container_id")
      .notNull()
      .references(() => containers.id, { onDelete: "cascade" }),
    stream: integer("stream").notNull(),
    time: text("time").notNull(),
    data: blob("data", { mode: "buffer" }).notNull(),
  },
  (t) => [index("container_logs_container").on(t.containerId, t.seq)],
);

/** Volumes of the `local` driver; their data lives under <data>/volumes/<name>/_data (or a permitted bind source). */
export const volumes = sqliteTable("volumes", {
  name: text("name").primaryKey(),
  driver: text("driver").notNull(),
  createdAt: text("created_at").notNull(),
  labels: text("labels", { mode: "json" }).notNull(),
  /** DriverOpts as given (type, device, o); empty for a plain directory volume. */
  options: text("options", { mode: "json" }).notNull(),
});

/** A container's resolved mount points (binds, volumes, tmpfs), in the order they were declared. */
export const containerMounts = sqliteTable(
  "container_mounts",
  {
    containerId: text("container_id")
      .notNull()
      .references(() => containers.id, { onDelete: "cascade" }),
    destination: text("destination").notNull(),
    position: integer("position").notNull(),
    /** Set for volume mounts, so the volumes in use are found by index. */
    volume: text("volume"),
    spec: text("spec", { mode: "json" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.containerId, t.destination] }), index("container_mounts_volume").on(t.volume)],
);

/** Networks, the predefined ones included (their IDs must survive restarts). */
export const networks = sqliteTable("networks", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  driver: text("driver").notNull(),
  created: text("created").notNull(),
  internal: integer("internal", { mode: "boolean" }).notNull(),
  attachable: integer("attachable", { mode: "boolean" }).notNull(),
  enableIPv6: integer("enable_ipv6", { mode: "boolean" }).notNull(),
  /** IPAM as reported: {Driver, Options, Config: [{Subnet, Gateway, IPRange?}]}. */
  ipam: text("ipam", { mode: "json" }).notNull(),
  options: text("options", { mode: "json" }).notNull(),
  labels: text("labels", { mode: "json" }).notNull(),
});

/**
 * A container's membership of a network: the settings asked for (aliases,
 * static address) and, while it runs, the endpoint and address it holds.
 */
export const endpoints = sqliteTable(
  "endpoints",
  {
    networkId: text("network_id")
      .notNull()
      .references(() => networks.id, { onDelete: "cascade" }),
    containerId: text("container_id")
      .notNull()
      .references(() => containers.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    /** EndpointSettings as the client gave them (IPAMConfig, Aliases, DriverOpts, ...). */
    config: text("config", { mode: "json" }).notNull(),
    endpointId: text("endpoint_id").notNull().default(""),
    ipv4: text("ipv4").notNull().default(""),
    mac: text("mac").notNull().default(""),
  },
  (t) => [primaryKey({ columns: [t.networkId, t.containerId] }), index("endpoints_container").on(t.containerId)],
);
