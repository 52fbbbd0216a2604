import { AwsError } from "../../errors.js";
import type { JsonOperation } from "../../service.js";
import { clusterNameOf, type Arns } from "./arns.js";
import { clusterNotFound, invalidParameter, optionalString, optionalStrings, page, tagsFrom } from "./common.js";
import type { EcsStore } from "./store.js";
import type { Cluster } from "./types.js";

/** An ACTIVE cluster by name or ARN; "default" when none is named, as every ECS call without `cluster` means. */
export function activeCluster(store: EcsStore, ref: string | undefined): Cluster {
  const c = store.cluster(clusterNameOf(ref ?? "default"));
  if (!c || c.status !== "ACTIVE") throw clusterNotFound();
  return c;
}

/** CreateCluster, DescribeClusters, ListClusters, DeleteCluster. */
export function clusterOperations(store: EcsStore, arns: Arns): Record<string, JsonOperation> {
  /** The cluster with its task counts, as DescribeClusters reports them. */
  const view = (c: Cluster, include: string[] = []) => {
    const tasks = store.tasksOf(c.clusterArn);
    return {
      ...c,
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
      pendingTasksCount: tasks.filter((t) => t.lastStatus === "PENDING" || t.lastStatus === "PROVISIONING").length,
      activeServicesCount: 0,
      statistics: [],
      tags: include.includes("TAGS") ? store.tagsOf(c.clusterArn) : [],
    };
  };

  return {
    CreateCluster: (input) => {
      const name = optionalString(input, "clusterName") ?? "default";
      if (!/^[a-zA-Z0-9_-]{1,255}$/.test(name)) throw invalidParameter("Cluster name can have up to 255 characters, using letters (uppercase and lowercase), numbers, underscores and hyphens.");
      const tags = tagsFrom(input);
      const existing = store.cluster(name);
      const settings = (input.settings as Cluster["settings"] | undefined) ?? existing?.settings ?? [{ name: "containerInsights", value: "disabled" }];
      const cluster: Cluster = {
        clusterArn: arns.cluster(name),
        clusterName: name,
        status: "ACTIVE",
        settings,
        ...(input.configuration ? { configuration: input.configuration } : existing?.configuration ? { configuration: existing.configuration } : {}),
        capacityProviders: optionalStrings(input, "capacityProviders") ?? existing?.capacityProviders ?? [],
        defaultCapacityProviderStrategy: (input.defaultCapacityProviderStrategy as unknown[]) ?? existing?.defaultCapacityProviderStrategy ?? [],
      };
      store.putCluster(cluster);
      store.putTags(cluster.clusterArn, tags);
      return { cluster: { ...view(cluster), tags: store.tagsOf(cluster.clusterArn) } };
    },

    DescribeClusters: (input) => {
      const refs = optionalStrings(input, "clusters") ?? ["default"];
      if (refs.length > 100) throw invalidParameter("clusters can have at most 100 items.");
      const include = optionalStrings(input, "include") ?? [];
      const clusters = [];
      const failures = [];
      for (const ref of refs) {
        const c = store.cluster(clusterNameOf(ref));
        if (c) clusters.push(view(c, include));
        else failures.push({ arn: arns.cluster(clusterNameOf(ref)), reason: "MISSING" });
      }
      return { clusters, failures };
    },

    ListClusters: (input) => {
      const { items, nextToken } = page(store.activeClusterArns(), input);
      return { clusterArns: items, ...(nextToken ? { nextToken } : {}) };
    },

    DeleteCluster: (input) => {
      const ref = optionalString(input, "cluster");
      if (!ref) throw invalidParameter("cluster must be specified.");
      const c = activeCluster(store, ref);
      if (store.tasksOf(c.clusterArn).some((t) => t.lastStatus !== "STOPPED")) throw new AwsError("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.");
      c.status = "INACTIVE";
      store.putCluster(c);
      return { cluster: view(c) };
    },
  };
}
