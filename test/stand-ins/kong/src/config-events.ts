// When the router, plugins iterator and balancers are rebuilt, as in Kong 3.9 (traditional mode):
// - an Admin API write runs Kong's crud handlers (kong/runloop/events.lua): routes, service updates
//   and plugins invalidate "router:version" / "plugins_iterator:version" locally and broadcast it as a
//   cluster event; upstream/target writes update the balancer at once and broadcast balancer events;
// - other nodes' events arrive through cluster-events.ts every db_update_frequency seconds;
// - an invalidated router/plugins iterator is rebuilt by the worker_state_update_frequency timer
//   (worker_consistency = eventual), or before the next proxied request (strict), as
//   kong/runloop/handler.lua's rebuild timers and get_updated_router() do.
import { randomUUID } from 'node:crypto';
import type { EntityName } from './admin/schemas.ts';
import { BALANCER_TARGETS, BALANCER_UPSTREAMS, ClusterEvents, CORE_INVALIDATIONS } from './cluster-events.ts';
import { log } from './log.ts';
import type { Runtime } from './runtime.ts';

export type Operation = 'create' | 'update' | 'delete';
type Kind = 'router' | 'plugins' | 'balancer';
const VERSION_KEYS: Record<string, Kind> = {
  'router:version': 'router',
  'plugins_iterator:version': 'plugins',
};

export class ConfigEvents {
  private readonly rt: Runtime;
  private readonly cluster: ClusterEvents | null;
  private readonly wanted: Record<Kind, string> = {
    router: randomUUID(),
    plugins: randomUUID(),
    balancer: randomUUID(),
  };
  private readonly built: Record<Kind, string> = { router: '', plugins: '', balancer: '' };
  private readonly building: Record<Kind, Promise<void> | null> = {
    router: null,
    plugins: null,
    balancer: null,
  };
  private timer: NodeJS.Timeout | null = null;

  constructor(rt: Runtime) {
    this.rt = rt;
    const c = rt.config;
    this.cluster = rt.store
      ? new ClusterEvents(rt.store.db, rt.nodeId, c.dbUpdateFrequency, c.dbUpdatePropagation)
      : null;
  }

  /** The first build (init_worker), then the rebuild timer and the cluster events poll. */
  async start(): Promise<void> {
    await Promise.all([this.ensure('router'), this.ensure('plugins'), this.ensure('balancer')]);
    const every = this.rt.config.workerStateUpdateFrequency * 1000;
    this.timer = setInterval(() => {
      for (const kind of ['router', 'plugins'] as const)
        this.ensure(kind).catch((e) =>
          log('error', `could not rebuild ${kind} via timer: ${(e as Error).message}`),
        );
    }, every).unref();
    await this.cluster?.start([CORE_INVALIDATIONS, BALANCER_UPSTREAMS, BALANCER_TARGETS], (channel, data) =>
      this.onClusterEvent(channel, data),
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.cluster?.stop();
  }

  /** An Admin API write on this node; resolves once the cluster event row is written, as in Kong. */
  async changed(entity: EntityName, op: Operation): Promise<void> {
    const events: [string, string][] = [];
    if (entity === 'routes' || (entity === 'services' && op === 'update'))
      events.push([CORE_INVALIDATIONS, 'router:version']);
    // deleting a service, route or consumer also deletes its plugins (cascade: more crud events)
    if (entity === 'plugins' || (op === 'delete' && ['services', 'routes', 'consumers'].includes(entity)))
      events.push([CORE_INVALIDATIONS, 'plugins_iterator:version']);
    if (entity === 'upstreams' || entity === 'targets') {
      // Kong's next request finds the upstream (its upstreams cache entry was just invalidated):
      // the balancer is current before the write answers
      await this.rebuildBalancer();
      events.push([entity === 'upstreams' ? BALANCER_UPSTREAMS : BALANCER_TARGETS, op]);
    }
    for (const [channel, data] of events) {
      if (channel === CORE_INVALIDATIONS) this.invalidate(data);
      await this.cluster
        ?.broadcast(channel, data)
        .catch((e) =>
          log('error', `failed to broadcast cached entity invalidation: ${(e as Error).message}`),
        );
    }
  }

  /** worker_consistency = strict: a pending rebuild happens before the request is routed. */
  async beforeRequest(): Promise<void> {
    if (this.rt.config.workerConsistency !== 'strict' || !this.rt.store) return;
    for (const kind of ['router', 'plugins'] as const) {
      await this.ensure(kind).catch((e) =>
        log('error', `could not rebuild ${kind}: ${(e as Error).message} (stale ${kind} will be used)`),
      );
    }
  }

  private onClusterEvent(channel: string, data: string): void {
    if (channel === CORE_INVALIDATIONS) this.invalidate(data);
    else void this.rebuildBalancer();
  }

  private invalidate(key: string): void {
    const kind = VERSION_KEYS[key];
    if (kind) this.wanted[kind] = randomUUID();
  }

  /** Balancer events apply at once (worker events, not the timer); rebuilds never overlap. */
  private rebuildBalancer(): Promise<void> {
    this.wanted.balancer = randomUUID();
    return this.ensure('balancer').catch((e) =>
      log('error', `failed to update balancer: ${(e as Error).message}`),
    );
  }

  /** Rebuilds `kind` unless it is current; one rebuild at a time (so the last write always wins). */
  private async ensure(kind: Kind): Promise<void> {
    while (this.built[kind] !== this.wanted[kind]) {
      const running = this.building[kind];
      if (running) {
        await running;
        continue;
      }
      const version = this.wanted[kind];
      const build =
        kind === 'router'
          ? this.rt.buildRouter()
          : kind === 'plugins'
            ? this.rt.buildPlugins()
            : this.rt.buildBalancer();
      this.building[kind] = build
        .then(() => {
          this.built[kind] = version;
        })
        .finally(() => {
          this.building[kind] = null;
        });
      await this.building[kind];
    }
  }
}
