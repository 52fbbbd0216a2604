/** The docker backend's options (`--backend-opt KEY=VALUE`). */

/** `host`: the engine's address, unix:///PATH or tcp://HOST:PORT; DOCKER_HOST's form. */
export function dockerBackendHost(options: Record<string, string>): string {
  for (const key of Object.keys(options)) {
    if (key !== "host") throw new Error(`unknown docker backend option "${key}"; known: host`);
  }
  const host = options.host ?? "unix:///var/run/docker.sock";
  if (!/^(unix:\/\/\/.+|tcp:\/\/[^/]+)$/.test(host)) throw new Error(`docker backend host "${host}" must be unix:///PATH or tcp://HOST:PORT`);
  return host;
}
