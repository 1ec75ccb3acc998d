// The path a request takes: Kong route -> Kong service -> Consul instances -> their health. Read
// through Kong's Admin API and Consul's health API; `check` also sends a request through Kong's
// proxy and says which hop failed.
import { request } from 'undici';
import type { RouteVerdict } from './route-verdict.ts';

export interface RouteHop {
  readonly route: string;
  readonly paths: readonly string[];
  readonly hosts?: readonly string[];
  readonly methods?: readonly string[];
  readonly service: string;
  readonly upstream: string;
  /** The Consul service name when the upstream host is `<name>.service.consul`. */
  readonly consulService?: string;
  readonly instances: readonly RouteInstance[];
}

export interface RouteInstance {
  readonly address: string;
  readonly port: number;
  readonly status: string;
  readonly id?: string;
  /** Each Consul check on the instance: name, status and its last output. */
  readonly checks?: readonly { readonly name: string; readonly status: string; readonly output: string }[];
}

export interface RouteCheck {
  readonly route: string;
  readonly path: string;
  readonly status: number;
  readonly verdict: RouteVerdict;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await request(url, { headersTimeout: 5000 });
  const text = await res.body.text();
  return { status: res.statusCode, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

async function listAll<T>(adminUrl: string, path: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | null = `${path}?size=1000`;
  while (next) {
    const page: { status: number; body: { data: T[]; next: string | null } } = await getJson(
      `${adminUrl}${next}`,
    );
    if (page.status !== 200) throw new Error(`Kong ${path} answered ${page.status}`);
    items.push(...page.body.data);
    next = page.body.next;
  }
  return items;
}

interface KongRoute {
  id: string;
  name: string | null;
  paths: string[] | null;
  hosts?: string[] | null;
  methods?: string[] | null;
  service: { id: string } | null;
}
interface KongService {
  id: string;
  name: string | null;
  host: string;
  port: number;
}
interface HealthEntry {
  Service: { ID?: string; Address: string; Port: number };
  Node: { Address: string };
  Checks: { Name?: string; Status: string; Output?: string }[];
}

export async function mapRoutes(adminUrl: string, consulUrl: string): Promise<RouteHop[]> {
  const [routes, services] = await Promise.all([
    listAll<KongRoute>(adminUrl, '/routes'),
    listAll<KongService>(adminUrl, '/services'),
  ]);
  const byId = new Map(services.map((s) => [s.id, s]));
  return Promise.all(
    routes.map(async (r) => {
      const service = r.service ? byId.get(r.service.id) : undefined;
      const consulService = /^(.+)\.service\.consul$/.exec(service?.host ?? '')?.[1];
      let instances: RouteHop['instances'] = [];
      if (consulService) {
        const health = await getJson<HealthEntry[]>(`${consulUrl}/v1/health/service/${consulService}`);
        instances = (health.body ?? []).map((h) => ({
          address: h.Service.Address || h.Node.Address,
          port: h.Service.Port,
          status: h.Checks.every((c) => c.Status === 'passing')
            ? 'passing'
            : (h.Checks.find((c) => c.Status !== 'passing')?.Status ?? 'unknown'),
          ...(h.Service.ID ? { id: h.Service.ID } : {}),
          checks: h.Checks.map((c) => ({ name: c.Name ?? '', status: c.Status, output: c.Output ?? '' })),
        }));
      }
      return {
        route: r.name ?? r.id,
        paths: r.paths ?? [],
        hosts: r.hosts ?? [],
        methods: r.methods ?? [],
        service: service?.name ?? service?.id ?? '-',
        upstream: service ? `${service.host}:${service.port}` : '-',
        ...(consulService ? { consulService } : {}),
        instances,
      };
    }),
  );
}

/** What came back through Kong's proxy. */
export interface ProxyAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * Kong's own answer, not the service's: Kong's error template (kong/tools/http.lua, asked for as JSON)
 * `{"message": …, "request_id": …}` whose request id is the `X-Kong-Request-Id` Kong put on the
 * response. Status codes alone cannot tell: a service answers 500 or 503 too, and Kong's error pages
 * after a failed connection carry a proxied response's headers (Via, X-Kong-Upstream-Latency).
 */
export function kongOwnMessage(answer: ProxyAnswer): string | undefined {
  const id = answer.headers['x-kong-request-id'];
  if (typeof id !== 'string' || id === '') return undefined;
  try {
    const body = JSON.parse(answer.body) as { message?: unknown; request_id?: unknown };
    return typeof body.message === 'string' && body.request_id === id ? body.message : undefined;
  } catch {
    return undefined;
  }
}

/** The hop an answer blames (Kong 3.9's messages: kong/runloop/balancer/init.lua, error_handlers.lua). */
export function verdictFor(answer: ProxyAnswer): RouteVerdict {
  const message = kongOwnMessage(answer);
  const { status } = answer;
  if (message === undefined) return status < 500 ? { kind: 'reached' } : { kind: 'service-error', status };
  if (status === 404 && message === 'no Route matched with those values') return { kind: 'no-route' };
  if (message === 'no Service found with those values') return { kind: 'route-without-service' };
  if (message === 'failure to get a peer from the ring-balancer') return { kind: 'no-healthy-target' };
  // a name Consul does not know, or one without a healthy instance (a retry's: the 503 error page)
  if (status === 503) return { kind: 'no-healthy-instance' };
  if (/^dns (server|client) error/.test(message)) return { kind: 'dns-failed', message };
  if (status === 502) return { kind: 'upstream-failed' };
  if (status === 504) return { kind: 'upstream-timed-out' };
  // e.g. a retry that found nothing in Kong's DNS cache (dns_stale_ttl 0): Kong's own 500
  if (status === 500) return { kind: 'gateway-error', message };
  return { kind: 'gateway-answered', status, message };
}

/** `headers` go with each request (the dashboard's "try it" sends a traceparent, to show its trace). */
export async function checkRoutes(
  proxyUrl: string,
  hops: readonly RouteHop[],
  headers: Record<string, string> = {},
): Promise<RouteCheck[]> {
  return Promise.all(
    hops.map(async (hop) => {
      const path = (hop.paths[0] ?? '/').replace(/^~/, '');
      try {
        // JSON: Kong's error pages are text/plain unless asked (error_default_type, kong/error_handlers.lua)
        const res = await request(`${proxyUrl}${path}`, {
          headers: { accept: 'application/json', ...headers },
          headersTimeout: 10_000,
        });
        const body = await res.body.text();
        const verdict = verdictFor({ status: res.statusCode, headers: res.headers, body });
        return { route: hop.route, path, status: res.statusCode, verdict };
      } catch (error) {
        return {
          route: hop.route,
          path,
          status: 0,
          verdict: { kind: 'proxy-unreachable', message: (error as Error).message },
        };
      }
    }),
  );
}
