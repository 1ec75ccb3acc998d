// Shared node state: configuration, database, DNS client, and the router, plugins iterator and
// balancer built from the entities. What triggers a rebuild lives in config-events.ts.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityName } from './admin/schemas.ts';
import { Balancer } from './balancer.ts';
import type { Config } from './config.ts';
import { type Db, reachable } from './db.ts';
import type { Resolver } from './dns-resolver.ts';
import { type MetricFlags, Metrics } from './metrics.ts';
import { RouteMatcher } from './route-matcher.ts';
import { type Entity, Store } from './store.ts';
import { KongTracing } from './tracing/kong-tracing.ts';

/** What an Admin API write and the proxy tell the node (config-events.ts implements it). */
export interface ChangeEvents {
  changed(entity: EntityName, op: 'create' | 'update' | 'delete'): Promise<void>;
  beforeRequest(): Promise<void>;
}

const NOT_CONFIGURED: MetricFlags = {
  status_code_metrics: false,
  latency_metrics: false,
  bandwidth_metrics: false,
  upstream_health_metrics: false,
  per_consumer: false,
};

const NO_EVENTS: ChangeEvents = { changed: async () => {}, beforeRequest: async () => {} };

export class Runtime {
  readonly config: Config;
  readonly resolver: Resolver;
  readonly store: Store | null;
  readonly nodeId = randomUUID();
  readonly hostname = hostname();
  readonly metrics = new Metrics();
  readonly startedAt = Date.now();
  readonly tracing: KongTracing;
  router: RouteMatcher = new RouteMatcher([], new Map());
  balancer: Balancer;
  plugins: Entity[] = [];
  services = new Map<string, Entity>();
  routes = new Map<string, Entity>();
  upstreamTargets: { upstream: string; target: string; address: string }[] = [];
  routerBuilt = false;
  dbReachable = false;
  events: ChangeEvents = NO_EVENTS;

  constructor(config: Config, resolver: Resolver, db: Db | null) {
    this.config = config;
    this.resolver = resolver;
    this.store = db ? new Store(db) : null;
    this.balancer = new Balancer(resolver, [], []);
    this.tracing = new KongTracing(config.raw, this.nodeId);
    this.tracing.wrapResolver(resolver);
  }

  /** Kong's new_router(): every route with its service, read from the database now. */
  async buildRouter(): Promise<void> {
    if (this.store) {
      const [services, routes] = await Promise.all([this.store.all('services'), this.store.all('routes')]);
      this.services = new Map(services.map((s) => [String(s.id), s]));
      this.routes = new Map(routes.map((r) => [String(r.id), r]));
      this.router = new RouteMatcher(routes, this.services);
      this.dbReachable = true;
    }
    this.routerBuilt = true;
  }

  /** Kong's plugins iterator: the enabled plugins. */
  async buildPlugins(): Promise<void> {
    if (!this.store) return;
    this.plugins = (await this.store.all('plugins')).filter((p) => p.enabled !== false);
  }

  /** The balancers of upstreams and their targets. */
  async buildBalancer(): Promise<void> {
    if (!this.store) return;
    const [upstreams, targets] = await Promise.all([this.store.all('upstreams'), this.store.all('targets')]);
    this.balancer = new Balancer(this.resolver, upstreams, targets);
    const names = new Map(upstreams.map((u) => [u.id, String(u.name)]));
    this.upstreamTargets = targets.map((t) => ({
      upstream: names.get((t.upstream as { id: string }).id) ?? '',
      target: String(t.target),
      address: String(t.target),
    }));
  }

  /** The enabled global prometheus plugin's flags, or null when the plugin is not enabled. */
  prometheus(): MetricFlags | null {
    const p = this.plugins.find((x) => x.name === 'prometheus');
    if (!p) return null;
    const c = (p.config ?? {}) as Record<string, boolean>;
    return {
      status_code_metrics: !!c.status_code_metrics,
      latency_metrics: !!c.latency_metrics,
      bandwidth_metrics: !!c.bandwidth_metrics,
      upstream_health_metrics: !!c.upstream_health_metrics,
      per_consumer: !!c.per_consumer,
    };
  }

  /**
   * `/metrics` (prometheus status_api.lua / api.lua) answers whenever the plugin is loaded (always:
   * `plugins = bundled`); until a prometheus plugin is configured only the node-local metrics
   * (exporter.lua metric_data(..., local_only)). The exporter asks the database on each scrape.
   */
  async renderMetrics(): Promise<string> {
    const flags = this.prometheus() ?? NOT_CONFIGURED;
    if (this.store) this.dbReachable = await reachable(this.store.db);
    return this.metrics.render(
      this.nodeId,
      flags,
      this.store ? this.dbReachable : null,
      this.upstreamTargets,
    );
  }
}
