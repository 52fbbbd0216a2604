import { parseReference } from "../../../../engine/images/reference.js";
import type { ImageRegistry } from "../../service.js";
import { REGISTRY_USER, type RegistryTokens } from "./tokens.js";

/** The two names of this simulator's registry: its own host:port, and the account's ECR host name that task definitions use. */
export function registryHosts(endpoint: string, accountId: string, region: string): { local: string; ecr: string } {
  return { local: new URL(endpoint).host, ecr: `${accountId}.dkr.ecr.${region}.amazonaws.com` };
}

function domainOf(reference: string): string | undefined {
  try {
    return parseReference(reference).domain;
  } catch {
    return undefined;
  }
}

/** ECR as the workload host pulls from it: references to either name, pulled from the simulator's own port with a fresh password. */
export function imageRegistry(hosts: { local: string; ecr: string }, tokens: RegistryTokens): ImageRegistry {
  // One password serves every pull until it is within an hour of expiring.
  let current: { password: string; expiresAtMs: number } | undefined;
  return {
    owns: (reference) => {
      const domain = domainOf(reference);
      return domain === hosts.local || domain === hosts.ecr;
    },
    localReference: (reference) => {
      const domain = domainOf(reference);
      if (domain === hosts.local) return reference;
      if (domain === hosts.ecr) return `${hosts.local}${reference.slice(hosts.ecr.length)}`;
      throw new Error(`${reference} does not name a repository of this simulator's ECR`);
    },
    pullCredentials: () => {
      if (!current || current.expiresAtMs - Date.now() < 60 * 60 * 1000) current = tokens.issue();
      return { username: REGISTRY_USER, password: current.password };
    },
  };
}
