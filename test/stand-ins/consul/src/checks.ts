// Runs every registered check: HTTP/TCP probes at their interval (first run staggered randomly within
// one interval, like Consul), TTL expiry, and the 30 s reaper for DeregisterCriticalServiceAfter.

import type { Catalog, CheckDef, CheckStatus } from './catalog.ts';
import { probeHttp, probeTcp } from './check-probes.ts';

interface Running {
  def: CheckDef;
  timer: NodeJS.Timeout | undefined;
  lastOutput: string;
}

export class CheckRunner {
  readonly #catalog: Catalog;
  readonly #running = new Map<string, Running>();
  readonly #reaper: NodeJS.Timeout;
  #stopped = false;

  readonly #onReap: (serviceId: string, checkId: string) => void;

  constructor(
    catalog: Catalog,
    onReap: (serviceId: string, checkId: string) => void = () => {},
    reapIntervalMs = 30_000,
  ) {
    this.#catalog = catalog;
    this.#onReap = onReap;
    this.#reaper = setInterval(() => this.reap(), reapIntervalMs);
    this.#reaper.unref();
  }

  /** Starts runners for new or changed checks and stops those that are gone. */
  sync(): void {
    if (this.#stopped) return;
    for (const [id, r] of this.#running) {
      const c = this.#catalog.checks.get(id);
      if (!c || c.def !== r.def) {
        clearTimeout(r.timer);
        this.#running.delete(id);
      }
    }
    for (const [id, c] of this.#catalog.checks) {
      if (this.#running.has(id)) continue;
      const r: Running = { def: c.def, timer: undefined, lastOutput: '' };
      this.#running.set(id, r);
      if (c.def.type === 'ttl') this.#armTtl(r);
      else if (c.def.intervalMs) this.#schedule(r, Math.random() * c.def.intervalMs);
    }
  }

  /** PUT /v1/agent/check/{pass,warn,fail,update}: only TTL checks accept it. */
  updateTtl(id: string, status: CheckStatus, output: string): boolean {
    const r = this.#running.get(id);
    if (r?.def.type !== 'ttl') return false;
    r.lastOutput = output;
    this.#catalog.updateCheck(id, status, output);
    this.#armTtl(r);
    return true;
  }

  #armTtl(r: Running): void {
    clearTimeout(r.timer);
    r.timer = setTimeout(() => {
      const out = r.lastOutput
        ? `TTL expired (last output before timeout follows): ${r.lastOutput}`
        : 'TTL expired';
      this.#catalog.updateCheck(r.def.checkId, 'critical', out);
    }, r.def.ttlMs ?? 0);
    r.timer.unref();
  }

  #schedule(r: Running, delayMs: number): void {
    r.timer = setTimeout(() => void this.#run(r), delayMs);
    r.timer.unref();
  }

  async #run(r: Running): Promise<void> {
    const result = r.def.type === 'http' ? await probeHttp(r.def) : await probeTcp(r.def);
    if (this.#stopped || this.#running.get(r.def.checkId) !== r) return;
    this.#catalog.updateCheck(r.def.checkId, result.status, result.output);
    this.#schedule(r, r.def.intervalMs ?? 10_000);
  }

  /** Deregisters services whose check has been critical for longer than its DeregisterCriticalServiceAfter. */
  reap(now = Date.now()): void {
    for (const c of [...this.#catalog.checks.values()]) {
      const after = c.def.deregisterAfterMs;
      if (!after || c.status !== 'critical' || c.criticalSince === undefined) continue;
      if (now - c.criticalSince > after && c.def.serviceId) {
        this.#onReap(c.def.serviceId, c.def.checkId);
        this.#catalog.deregisterService(c.def.serviceId);
      }
    }
    this.sync();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#reaper);
    for (const r of this.#running.values()) clearTimeout(r.timer);
    this.#running.clear();
  }
}
