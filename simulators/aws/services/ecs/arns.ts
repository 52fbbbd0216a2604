/** ECS resource ARNs in the forms AWS gives them (the long task ARN format, with the cluster's name). */
export class Arns {
  constructor(
    private readonly region: string,
    private readonly account: string,
  ) {}

  private base(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:${resource}`;
  }

  cluster(name: string): string {
    return this.base(`cluster/${name}`);
  }

  task(cluster: string, id: string): string {
    return this.base(`task/${cluster}/${id}`);
  }

  taskDefinition(family: string, revision: number): string {
    return this.base(`task-definition/${family}:${revision}`);
  }

  container(cluster: string, taskId: string, uuid: string): string {
    return this.base(`container/${cluster}/${taskId}/${uuid}`);
  }
}

/** A cluster's name from its name or ARN. */
export function clusterNameOf(ref: string): string {
  const m = /^arn:aws[\w-]*:ecs:[^:]*:\d*:cluster\/(.+)$/.exec(ref);
  return m ? m[1] : ref;
}

/** A task's ID from its ID or ARN (long form task/cluster/id, or the old short form task/id). */
export function taskIdOf(ref: string): string {
  const m = /^arn:aws[\w-]*:ecs:[^:]*:\d*:task\/(?:[^/]+\/)?([^/]+)$/.exec(ref);
  return m ? m[1] : ref;
}

/** The family and optional revision a task definition reference names: family, family:revision, or an ARN; undefined for a malformed one. */
export function taskDefinitionRefOf(ref: string): { family: string; revision?: number } | undefined {
  const m = /^arn:aws[\w-]*:ecs:[^:]*:\d*:task-definition\/(.+)$/.exec(ref);
  const name = m ? m[1] : ref;
  const colon = name.lastIndexOf(":");
  if (colon < 0) return m ? undefined : { family: name };
  const revision = Number(name.slice(colon + 1));
  if (!/^\d+$/.test(name.slice(colon + 1)) || revision < 1) return undefined;
  return { family: name.slice(0, colon), revision };
}
