// The path a request takes: Kong route -> Kong service -> Consul instances -> their health. Read
// through Kong's Admin API and Consul's health API; `check` also sends a request through Kong's
// proxy and says which hop failed.
import { request } from 'undici';

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
  readonly verdict: string;
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

/** Kong's answers say which hop failed: its own 404 (no route), 503 (no instance), 502 (upstream). */
function verdictFor(status: number, body: string): string {
  if (status === 404 && body.includes('no Route matched')) return 'kong: no route matched';
  if (status === 503) return 'kong -> consul: no healthy instance resolved';
  if (status === 502 || status === 504) return 'kong -> service: upstream failed';
  if (status < 500) return 'ok: reached the service';
  return `service answered ${status}`;
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
        const res = await request(`${proxyUrl}${path}`, { headersTimeout: 10_000, headers });
        const body = await res.body.text();
        return { route: hop.route, path, status: res.statusCode, verdict: verdictFor(res.statusCode, body) };
      } catch (error) {
        return {
          route: hop.route,
          path,
          status: 0,
          verdict: `kong proxy unreachable: ${(error as Error).message}`,
        };
      }
    }),
  );
}
