/** The sandbox backend's options (`--backend-opt KEY=VALUE`). */

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * `allow-url`: space-separated loopback HTTP URL prefixes its containers'
 * curl may reach (for example a simulated Lambda Runtime API). The sandbox
 * grants no other network access.
 */
export function sandboxGrants(options: Record<string, string>): string[] {
  for (const key of Object.keys(options)) {
    if (key !== "allow-url") throw new Error(`unknown sandbox backend option "${key}"; known: allow-url`);
  }
  const urls = (options["allow-url"] ?? "").split(" ").filter(Boolean);
  for (const raw of urls) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`sandbox allow-url "${raw}" is not a URL`);
    }
    if (url.protocol !== "http:" || !LOOPBACK_HOSTS.has(url.hostname)) {
      throw new Error(`sandbox allow-url "${raw}" must be a loopback HTTP URL (http://127.0.0.1, localhost or [::1])`);
    }
  }
  return urls;
}
