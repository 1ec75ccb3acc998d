// Self-registration on Kong 3.x: one Service (the upstream host Consul DNS resolves) and one Route
// (the public path prefixes), both upserted with PUT by name so every replica and every restart can
// run it again safely. This replaces the original platform's calls to Kong's `/apis` (gone since 1.0).
import { callJson, joinUrl } from './http.ts';

export interface KongRegistration {
  /** Kong's Admin API, e.g. http://kong:8001. */
  readonly adminUrl: string;
  /** Names the Kong Service and its Route. */
  readonly name: string;
  /** The upstream host; default `<name>.service.consul`, which Kong resolves through Consul DNS (SRV gives the port). */
  readonly host?: string;
  /** The upstream port; with Consul DNS an SRV answer replaces it, but Kong needs one. */
  readonly port: number;
  /** Route path prefixes, each starting with `/`. */
  readonly paths: readonly string[];
  readonly hosts?: readonly string[];
  /** Strip the matched prefix before forwarding (Kong's default, true). */
  readonly stripPath?: boolean;
  readonly tags?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface KongRegistrationResult {
  readonly serviceId: string;
  readonly routeId: string;
}

export async function registerOnKong(options: KongRegistration): Promise<KongRegistrationResult> {
  const { adminUrl, name } = options;
  for (const path of options.paths) {
    if (!path.startsWith('/')) throw new Error(`Kong route paths start with '/': got '${path}'`);
  }
  const tags = options.tags === undefined ? {} : { tags: [...options.tags] };
  const service = await callJson('PUT', joinUrl(adminUrl, `/services/${encodeURIComponent(name)}`), {
    body: {
      name,
      protocol: 'http',
      host: options.host ?? `${name}.service.consul`,
      port: options.port,
      ...tags,
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const serviceId = idOf(service.json, 'service');
  // The Route references the Service by the id Kong just returned: `{id}` is the form every Kong 3.x
  // (and the stand-in) accepts, while `{name}` references depend on the version.
  const route = await callJson('PUT', joinUrl(adminUrl, `/routes/${encodeURIComponent(name)}`), {
    body: {
      name,
      service: { id: serviceId },
      protocols: ['http', 'https'],
      paths: [...options.paths],
      ...(options.hosts === undefined ? {} : { hosts: [...options.hosts] }),
      strip_path: options.stripPath ?? true,
      ...tags,
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { serviceId, routeId: idOf(route.json, 'route') };
}

/**
 * Removes the Route, then the Service (Kong refuses to delete a Service a Route still points at).
 * Kong answers DELETE with 204 also when the entity is absent, so this is idempotent too.
 */
export async function unregisterFromKong(options: {
  readonly adminUrl: string;
  readonly name: string;
  readonly signal?: AbortSignal;
}): Promise<void> {
  const signal = options.signal ? { signal: options.signal } : {};
  const name = encodeURIComponent(options.name);
  await callJson('DELETE', joinUrl(options.adminUrl, `/routes/${name}`), { alsoOk: [404], ...signal });
  await callJson('DELETE', joinUrl(options.adminUrl, `/services/${name}`), { alsoOk: [404], ...signal });
}

function idOf(json: unknown, what: string): string {
  const id = (json as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string')
    throw new Error(`Kong answered the ${what} upsert without an id: ${JSON.stringify(json)}`);
  return id;
}
