// The dashboard's model of the running project: the services' status (refreshed every 2 s, and at once
// on any engine event of the project), the platform sections (routes, messaging, KV, metrics), the
// logs; listeners get each change as it happens. Actions go to src/project and src/platform.
import type { Engine } from '../engine/engine.ts';
import type { MessagingView } from '../platform/rabbitmq-overview.ts';
import type { PlatformUrls } from '../platform/role-urls.ts';
import { checkRoutes } from '../platform/route-map.ts';
import { formatVerdict, verdictOk } from '../platform/route-verdict.ts';
import { getTrace, listTraces, newTraceparent } from '../platform/traces.ts';
import { loadLastUp } from '../project/last-up.ts';
import { ActionRefused, runServiceAction, type ServiceAction } from '../project/service-actions.ts';
import type { Stack } from '../stack/model.ts';
import { LogHub } from './log-hub.ts';
import { readKv, readMessagingSection, readMetrics, readRoutes } from './platform-reads.ts';
import { type PollLoop, pollLoop } from './poll-loop.ts';
import type { ActionResult, DashboardState, EndpointView, LogEntry, Section, TryResult } from './protocol.ts';
import type { DashboardBackend, StateListener } from './server.ts';
import { StatusWatch } from './status-watch.ts';

const LIFE_EVENTS = new Set([
  'create',
  'start',
  'restart',
  'die',
  'kill',
  'stop',
  'destroy',
  'pause',
  'unpause',
  'oom',
]);

const DEPTH_READINGS = 60;

export interface LiveStateOptions {
  readonly engine: Engine;
  readonly stack: Stack;
  readonly host: string;
  readonly mask: (text: string) => string;
  readonly signal: AbortSignal;
}

export class LiveState implements DashboardBackend {
  readonly project: string;
  #state: DashboardState;
  #endpoints: readonly EndpointView[] = [];
  #platform: PlatformUrls = {};
  #containers = new Map<string, string>();
  readonly #listeners = new Set<StateListener>();
  readonly #logs: LogHub;
  readonly #status: StatusWatch;
  #loops: PollLoop[] = [];
  readonly #depths = new Map<string, number[]>();

  readonly o: LiveStateOptions;

  constructor(o: LiveStateOptions) {
    this.o = o;
    this.project = o.stack.project;
    this.#state = { project: o.stack.project, host: o.host, lastUp: loadLastUp(o.stack) ?? null };
    this.#logs = new LogHub(o.engine, o.signal);
    this.#status = new StatusWatch(o.engine, o.stack, o.host);
  }

  /**
   * Starts the loops; resolves once the first status is in, so the first page shows services. The
   * platform reads start then, with the endpoints that status found.
   */
  async start(): Promise<void> {
    const { signal } = this.o;
    const urls = () => this.#platform;
    const status = pollLoop(() => this.#refreshStatus(), 2000, signal);
    this.#loops = [status];
    // A container's life changes are refreshed at once; exec events (probes) are not, or a probe
    // that execs would refresh itself in a loop.
    void this.o.engine
      .events((event) => {
        if (!LIFE_EVENTS.has(event.action)) return;
        this.#status.onEngineEvent(event);
        for (const loop of this.#loops.slice(0, 2)) loop.kick();
      }, signal)
      .catch(() => {});
    await new Promise<void>((resolve) => {
      const off = this.subscribe((patch) => {
        if (patch.services) {
          off();
          resolve();
        }
      });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const routes = pollLoop(async () => this.#patch({ routes: await readRoutes(urls()) }), 2000, signal);
    const slow = pollLoop(
      async () => {
        const [messaging, kv] = await Promise.all([
          readMessagingSection(this.o.stack, urls()),
          readKv(this.o.engine, this.o.stack, urls(), (s) => this.#containers.get(s)),
        ]);
        this.#patch({ messaging, kv, queueDepths: this.#recordDepths(messaging) });
      },
      5000,
      signal,
    );
    const metrics = pollLoop(async () => this.#patch({ metrics: await readMetrics(urls()) }), 15_000, signal);
    this.#loops = [status, routes, slow, metrics];
  }

  #recordDepths(messaging: Section<MessagingView>): Record<string, number[]> {
    for (const q of messaging.data?.queues ?? []) {
      const key = `${q.vhost}/${q.name}`;
      const list = this.#depths.get(key) ?? [];
      list.push(q.messages);
      if (list.length > DEPTH_READINGS) list.shift();
      this.#depths.set(key, list);
    }
    return Object.fromEntries(this.#depths);
  }

  async #refreshStatus(): Promise<void> {
    try {
      const { services, endpoints, platform } = await this.#status.refresh();
      this.#endpoints = endpoints;
      this.#platform = platform;
      this.#containers = new Map(
        services.filter((s) => s.replica === 1).map((s) => [s.service, s.container]),
      );
      this.#logs.attach(services.filter((s) => s.state === 'running').map((s) => s.container));
      this.#patch({
        services: { data: services, at: Date.now() },
        endpoints,
        lastUp: loadLastUp(this.o.stack) ?? null,
      });
    } catch (error) {
      this.#patch({ services: { error: (error as Error).message, at: Date.now() } });
    }
  }

  #patch(patch: Partial<DashboardState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(patch);
  }

  state(): DashboardState {
    return this.#state;
  }

  logs(): readonly LogEntry[] {
    return this.#logs.lines();
  }

  subscribe(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  subscribeLogs(listener: (entries: readonly LogEntry[]) => void): () => void {
    return this.#logs.subscribe(listener);
  }

  mask(text: string): string {
    return this.o.mask(text);
  }

  secrets(): readonly EndpointView[] {
    return this.#endpoints;
  }

  async action(service: string, action: ServiceAction): Promise<ActionResult> {
    try {
      const message = await runServiceAction(
        { engine: this.o.engine, stack: this.o.stack, host: this.o.host, signal: this.o.signal },
        service,
        action,
      );
      return { ok: true, message };
    } catch (error) {
      if (error instanceof ActionRefused) return { ok: false, message: error.message };
      return { ok: false, message: `${service}: ${action} failed: ${(error as Error).message}` };
    } finally {
      for (const loop of this.#loops) loop.kick();
    }
  }

  async tryRoute(route: string): Promise<TryResult> {
    const proxy = this.#platform.gatewayProxy;
    const hop = this.#state.routes?.data?.find((h) => h.route === route);
    if (proxy === undefined) return { ok: false, message: "Kong is not running: run 'mkdev up'" };
    if (hop === undefined) return { ok: false, message: `no route '${route}' on Kong` };
    // Sent under a trace of its own: Kong continues an incoming traceparent, so this id is the request's trace.
    const { traceId, traceparent } = newTraceparent();
    const [check] = await checkRoutes(proxy, [hop], { traceparent });
    if (check === undefined) return { ok: false, message: 'no answer' };
    return {
      ok: verdictOk(check.verdict),
      message: `${check.status} ${formatVerdict(check.verdict)}`,
      check,
      traceId,
    };
  }

  #tracesUrl(): string {
    const url = this.#platform.traces;
    if (url === undefined) throw new Error("the trace receiver is not running: run 'mkdev up'");
    return url;
  }

  async traces(query: URLSearchParams): Promise<unknown> {
    try {
      const number = (name: string) => (query.get(name) ? Number(query.get(name)) : undefined);
      return await listTraces(this.#tracesUrl(), {
        ...(query.get('route') ? { route: query.get('route') as string } : {}),
        ...(query.get('service') ? { service: query.get('service') as string } : {}),
        ...(query.get('errors') === 'true' ? { errors: true } : {}),
        ...(number('limit') === undefined ? {} : { limit: number('limit') }),
      });
    } catch (error) {
      return { traces: [], seq: 0, error: (error as Error).message };
    }
  }

  async trace(traceId: string): Promise<unknown> {
    return getTrace(this.#tracesUrl(), traceId);
  }
}
