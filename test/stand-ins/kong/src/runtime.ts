// Shared node state: configuration, database, DNS client, and the router/balancer built from entities.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Balancer } from './balancer.ts';
import type { Config } from './config.ts';
import { type Db, reachable } from './db.ts';
import type { Resolver } from './dns-resolver.ts';
import { log } from './log.ts';
import { type MetricFlags, Metrics } from './metrics.ts';
import { RouteMatcher } from './route-matcher.ts';
import { type Entity, Store } from './store.ts';

export class Runtime {
  readonly config: Config;
  readonly resolver: Resolver;
  readonly store: Store | null;
  readonly nodeId = randomUUID();
  readonly hostname = hostname();
  readonly metrics = new Metrics();
  readonly startedAt = Date.now();
  router: RouteMatcher = new RouteMatcher([], new Map());
  balancer: Balancer;
  plugins: Entity[] = [];
  services = new Map<string, Entity>();
  routes = new Map<string, Entity>();
  upstreamTargets: { upstream: string; target: string; address: string }[] = [];
  routerBuilt = false;
  dbReachable = false;
  private fingerprint = '';
  private poller: NodeJS.Timeout | null = null;
  private rebuilding: Promise<void> | null = null;
  private again = false;

  constructor(config: Config, resolver: Resolver, db: Db | null) {
    this.config = config;
    this.resolver = resolver;
    this.store = db ? new Store(db) : null;
    this.balancer = new Balancer(resolver, [], []);
  }

  /** Reads every entity and rebuilds router, balancer and plugin list (Kong's router rebuild). */
  async rebuild(): Promise<void> {
    if (this.rebuilding) {
      this.again = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      do {
        this.again = false;
        await this.rebuildOnce();
      } while (this.again);
    })().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  private async rebuildOnce(): Promise<void> {
    if (!this.store) {
      this.routerBuilt = true;
      return;
    }
    const [services, routes, plugins, upstreams, targets, fp] = await Promise.all([
      this.store.all('services'),
      this.store.all('routes'),
      this.store.all('plugins'),
      this.store.all('upstreams'),
      this.store.all('targets'),
      this.store.fingerprint(),
    ]);
    this.services = new Map(services.map((s) => [String(s.id), s]));
    this.routes = new Map(routes.map((r) => [String(r.id), r]));
    this.router = new RouteMatcher(routes, this.services);
    this.balancer = new Balancer(this.resolver, upstreams, targets);
    this.plugins = plugins.filter((p) => p.enabled !== false);
    const names = new Map(upstreams.map((u) => [u.id, String(u.name)]));
    this.upstreamTargets = targets.map((t) => ({
      upstream: names.get((t.upstream as { id: string }).id) ?? '',
      target: String(t.target),
      address: String(t.target),
    }));
    this.fingerprint = fp;
    this.routerBuilt = true;
    this.dbReachable = true;
  }

  /** After a write through this node's Admin API: rebuild soon (eventually consistent, like Kong). */
  changed(): void {
    this.rebuild().catch((e) => log('error', `[kong] router rebuild failed: ${(e as Error).message}`));
  }

  startPolling(intervalMs = 1000): void {
    const tick = async () => {
      if (!this.store) return;
      this.dbReachable = await reachable(this.store.db);
      if (!this.dbReachable) return;
      try {
        if ((await this.store.fingerprint()) !== this.fingerprint) await this.rebuild();
      } catch (e) {
        log('error', `[kong] configuration poll failed: ${(e as Error).message}`);
      }
    };
    this.poller = setInterval(() => void tick(), intervalMs);
    this.poller.unref();
  }

  stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
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

  renderMetrics(): string | null {
    const flags = this.prometheus();
    if (!flags) return null;
    return this.metrics.render(
      this.nodeId,
      flags,
      this.store ? this.dbReachable : null,
      this.upstreamTargets,
    );
  }
}
