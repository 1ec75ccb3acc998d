// The services' status over time: each refresh is `mkdev status` (src/project/service-status.ts), and
// this keeps what a single status cannot: a health history per replica and the restarts seen.
import type { ContainerEvent, Engine } from '../engine/engine.ts';
import type { PlatformUrls } from '../platform/role-urls.ts';
import type { Endpoint } from '../project/endpoints.ts';
import { stackStatus } from '../project/service-status.ts';
import type { Stack } from '../stack/model.ts';
import type { HealthSample, ServiceView } from './protocol.ts';

/** Samples kept per replica: 2 minutes at one refresh every 2 s. */
const HISTORY = 60;

export interface StatusSnapshot {
  readonly services: ServiceView[];
  readonly endpoints: readonly Endpoint[];
  readonly platform: PlatformUrls;
}

export class StatusWatch {
  readonly #history = new Map<string, HealthSample[]>();
  readonly #restarts = new Map<string, number>();
  /** Containers (by name) seen running: a later start of one of them is a restart. */
  readonly #known = new Set<string>();

  readonly engine: Engine;
  readonly stack: Stack;
  readonly host: string;

  constructor(engine: Engine, stack: Stack, host: string) {
    this.engine = engine;
    this.stack = stack;
    this.host = host;
  }

  onEngineEvent(event: ContainerEvent): void {
    // A removed container's name may come back on a new container (rebuild): not a restart.
    if (event.action === 'destroy') this.#known.delete(event.name);
    if (event.action !== 'start') return;
    const key = `${event.service}-${event.replica}`;
    if (this.#known.has(event.name)) this.#restarts.set(key, (this.#restarts.get(key) ?? 0) + 1);
    this.#known.add(event.name);
  }

  async refresh(): Promise<StatusSnapshot> {
    const status = await stackStatus(this.engine, this.stack, this.host);
    const now = Date.now();
    const services = status.services.map((s): ServiceView => {
      if (s.state === 'running') this.#known.add(s.container);
      const key = `${s.service}-${s.replica}`;
      const history = this.#history.get(key) ?? [];
      history.push({ at: now, ready: s.ready });
      if (history.length > HISTORY) history.splice(0, history.length - HISTORY);
      this.#history.set(key, history);
      const spec = this.stack.services[s.service];
      return {
        ...s,
        image: spec?.requestedImage ?? '',
        localImage: spec?.image ?? '',
        built: spec?.build !== undefined,
        oneShot: spec?.oneShot ?? false,
        restarts: this.#restarts.get(key) ?? 0,
        history: [...history],
      };
    });
    return { services, endpoints: status.endpoints, platform: status.platform };
  }
}
