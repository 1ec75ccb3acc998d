// A service's environment, resolved for a process on the host: `<service>:<port>` in a value (a URL,
// a host:port pair) names a container on the project network, which the host cannot resolve, so it
// becomes the port the engine publishes for it on 127.0.0.1. Pure, so it is unit-tested.

/** service name -> container port -> published host port. */
export type PublishedPorts = (service: string, containerPort: number) => number | undefined;

export interface HostEnvResult {
  readonly env: Record<string, string>;
  /** `<service>:<port>` references with no published port: left as they were, and worth a warning. */
  readonly unresolved: readonly string[];
}

export function rewriteForHost(
  env: Readonly<Record<string, string>>,
  services: readonly string[],
  published: PublishedPorts,
  host: string,
): HostEnvResult {
  const names = new Set(services);
  const unresolved = new Set<string>();
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    // A service name starts a value, or follows '//', '@', ',' or whitespace: the host part of a URL
    // or of a host:port list, never the middle of a longer name.
    out[key] = value.replace(
      /(^|\/\/|@|,|\s)([a-z0-9][a-z0-9-]*):(\d{1,5})(?=$|[/?#,\s])/g,
      (match, before: string, name: string, port: string) => {
        if (!names.has(name)) return match;
        const hostPort = published(name, Number(port));
        if (hostPort === undefined) {
          unresolved.add(`${name}:${port}`);
          return match;
        }
        return `${before}${host}:${hostPort}`;
      },
    );
  }
  return { env: out, unresolved: [...unresolved] };
}
