import { DockerError, UnauthorizedError } from "../errors.js";
import type { AuthConfig } from "./auth-config.js";
import { RegistryClient } from "./client.js";

/** The reference domain a login's serveraddress names: Docker Hub's index address (or none) is docker.io. */
export function loginDomain(serverAddress: string | undefined): string {
  const address = (serverAddress ?? "").trim();
  if (address === "" || /^(https?:\/\/)?(index\.)?docker\.io(\/v1\/?)?$/.test(address) || address === "registry-1.docker.io") return "docker.io";
  return address.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
}

/**
 * POST /auth: checks the credentials against the registry's /v2/ as dockerd's
 * loginV2 does. A registry that asks for no credentials accepts any.
 */
export async function login(auth: AuthConfig, insecure: readonly string[]): Promise<{ Status: string; IdentityToken: string }> {
  const client = new RegistryClient(loginDomain(auth.serveraddress), { auth, insecure });
  await client.ping();
  const url = `${client.endpoint.base}/v2/`;
  let res: Response;
  try {
    res = await client.request("GET", "/v2/");
  } catch (err) {
    if (err instanceof DockerError && err.status < 500) throw new UnauthorizedError(err.message);
    throw err;
  }
  await res.body?.cancel();
  if (res.status !== 200) throw new UnauthorizedError(`login attempt to ${url} failed with status: ${res.status} ${res.statusText}`);
  return { Status: "Login Succeeded", IdentityToken: "" };
}
