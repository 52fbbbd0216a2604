/** Where a registry's API is reached. */
export interface RegistryEndpoint {
  /** The reference's domain, e.g. "docker.io" or "127.0.0.1:5000". */
  domain: string;
  /** Scheme and host of the API, e.g. "https://registry-1.docker.io". */
  base: string;
}

const DOCKER_HUB_API = "registry-1.docker.io";

/** HOST without its port; brackets of an IPv6 literal kept. */
function hostOf(domain: string): string {
  if (domain.startsWith("[")) return domain.slice(0, domain.indexOf("]") + 1);
  const colon = domain.lastIndexOf(":");
  return colon < 0 ? domain : domain.slice(0, colon);
}

/** Registries spoken to over plain HTTP: loopback ones (as dockerd's default insecure 127.0.0.0/8 and ::1), and those the daemon was told to trust. */
export function isInsecure(domain: string, insecure: readonly string[]): boolean {
  const host = hostOf(domain).toLowerCase();
  if (host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  return insecure.some((entry) => entry.toLowerCase() === domain.toLowerCase() || entry.toLowerCase() === host);
}

/** The API endpoint for a reference's domain: Docker Hub's API host for docker.io; HTTPS unless the registry is insecure. */
export function registryEndpoint(domain: string, insecure: readonly string[]): RegistryEndpoint {
  if (domain === "docker.io") return { domain, base: `https://${DOCKER_HUB_API}` };
  return { domain, base: `${isInsecure(domain, insecure) ? "http" : "https"}://${domain}` };
}
