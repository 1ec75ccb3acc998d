// The agent's local state of the single node (agent-registered services, their checks, the node's
// serfHealth check and the built-in "consul" service) and, in `synced`, the servers' catalog that
// anti-entropy keeps up to date with it. Every change advances the raft index and wakes blocking queries.

import {
  CatalogView,
  type CheckDef,
  type CheckState,
  type CheckStatus,
  type NodeInfo,
  type ServiceDef,
} from './catalog-view.ts';
import type { Logger } from './log.ts';
import type { RaftIndex } from './raft-index.ts';

export {
  aggregateStatus,
  type CheckDef,
  type CheckState,
  type CheckStatus,
  effectiveAddress,
  type NodeInfo,
  type ServiceDef,
  type ServiceState,
} from './catalog-view.ts';

export interface AntiEntropy {
  /**
   * How long after a change of the agent's state the servers' catalog shows it. Consul answers the agent
   * API from its local state and applies the change to the catalog afterwards (a partial anti-entropy
   * sync, a raft write): a client that reads the catalog or DNS right after registering can still see
   * the old state. The stand-in keeps that window open on purpose, a little longer than usual.
   */
  delayMs: number;
  /** Syncs need a leader (Consul's first full sync fails with "No cluster leader" and is retried). */
  ready: () => boolean;
}

const IMMEDIATE: AntiEntropy = { delayMs: 0, ready: () => true };

export class Catalog extends CatalogView {
  /** The servers' catalog: what /v1/catalog, /v1/health and DNS answer from. */
  readonly synced: CatalogView;
  readonly #raft: RaftIndex;
  readonly #log: Logger;
  readonly #onWrite: () => void;
  readonly #ae: AntiEntropy;
  readonly #pending = new Set<string>();
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #waiters: Array<() => void> = [];

  constructor(
    node: NodeInfo,
    server: boolean,
    raft: RaftIndex,
    log: Logger,
    onWrite: () => void = () => {},
    antiEntropy: AntiEntropy = IMMEDIATE,
  ) {
    const index = raft.next();
    const serfHealth: CheckState = {
      def: {
        checkId: 'serfHealth',
        name: 'Serf Health Status',
        notes: '',
        serviceId: '',
        type: '',
        initialStatus: 'passing',
      },
      status: 'passing',
      output: 'Agent alive and reachable',
      createIndex: index,
      modifyIndex: index,
      criticalSince: undefined,
    };
    const consulService = server
      ? {
          def: {
            id: 'consul',
            name: 'consul',
            tags: [],
            address: '',
            port: 8300,
            meta: { non_voter: 'false', raft_version: '3', read_replica: 'false', version: node.version },
            weights: { Passing: 1, Warning: 1 },
            enableTagOverride: false,
            taggedAddresses: {},
          },
          createIndex: index,
          modifyIndex: index,
        }
      : undefined;
    super(node, serfHealth, consulService);
    this.synced = new CatalogView(node, serfHealth, consulService);
    this.#raft = raft;
    this.#log = log;
    this.#onWrite = onWrite;
    this.#ae = antiEntropy;
  }

  /** Applies pending changes to the catalog at once, leader or not (the state a restarted server restores). */
  syncNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const index = this.#raft.next();
    this.synced.copyFrom(this, index, this.#pending);
    this.#pending.clear();
    this.#dirty = false;
    this.#raft.notify();
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /**
   * Schedules the next sync of pending changes: after a change (a partial sync, `delayMs`), or once a
   * leader exists (the full sync, after `afterMs`).
   */
  scheduleSync(afterMs: number = this.#ae.delayMs): void {
    if (!this.#dirty || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#ae.ready()) this.syncNow();
    }, afterMs);
    this.#timer.unref();
  }

  /** Resolves once the catalog shows every change made so far (tests use it instead of polling). */
  whenSynced(): Promise<void> {
    if (!this.#dirty) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  registerService(def: ServiceDef, checks: CheckDef[], replaceExistingChecks: boolean): void {
    const index = this.#raft.next();
    const prev = this.services.get(def.id);
    if (prev && prev.def.name !== def.name) this.#pending.add(prev.def.name.toLowerCase());
    this.services.set(def.id, { def, createIndex: prev?.createIndex ?? index, modifyIndex: index });
    const keep = new Set(checks.map((c) => c.checkId));
    if (replaceExistingChecks) {
      for (const c of [...this.checks.values()]) {
        if (c.def.serviceId === def.id && !keep.has(c.def.checkId)) this.checks.delete(c.def.checkId);
      }
    }
    for (const c of checks) this.#putCheck(c, index);
    this.#changed(index, def.name);
    this.#log.info('agent', 'Synced service', { service: def.id });
  }

  deregisterService(id: string): boolean {
    const svc = this.services.get(id);
    if (!svc) return false;
    const index = this.#raft.next();
    this.services.delete(id);
    for (const c of [...this.checks.values()]) if (c.def.serviceId === id) this.checks.delete(c.def.checkId);
    this.#changed(index, svc.def.name);
    this.#log.info('agent', 'Deregistered service', { service: id });
    return true;
  }

  addCheck(def: CheckDef): void {
    const index = this.#raft.next();
    this.#putCheck(def, index);
    this.#changed(index, this.#serviceName(def.serviceId));
    this.#log.info('agent', 'Synced check', { check: def.checkId });
  }

  removeCheck(id: string): boolean {
    const c = this.checks.get(id);
    if (!c) return false;
    const index = this.#raft.next();
    this.checks.delete(id);
    this.#changed(index, this.#serviceName(c.def.serviceId));
    this.#log.info('agent', 'Deregistered check', { check: id });
    return true;
  }

  /** Records a check result; only status changes advance the index (as Consul's anti-entropy does). */
  updateCheck(id: string, status: CheckStatus, output: string): void {
    const c = this.checks.get(id);
    if (!c) return;
    if (c.status === status) {
      c.output = output;
      return;
    }
    const index = this.#raft.next();
    c.status = status;
    c.output = output;
    c.modifyIndex = index;
    c.criticalSince = status === 'critical' ? Date.now() : undefined;
    if (status === 'critical') this.#log.warn('agent', 'Check is now critical', { check: id });
    else this.#log.info('agent', 'Synced check', { check: id });
    this.#changed(index, this.#serviceName(c.def.serviceId));
  }

  #putCheck(def: CheckDef, index: number): void {
    const prev = this.checks.get(def.checkId);
    // As Consul's addServiceInternal: a re-registered check ID keeps its last status and output, even
    // when the new definition is of another type or sets Status (that only applies to a new check).
    const keepPrev = prev !== undefined;
    const status = keepPrev ? prev.status : def.initialStatus;
    this.checks.set(def.checkId, {
      def,
      status,
      output: keepPrev ? prev.output : '',
      createIndex: prev?.createIndex ?? index,
      modifyIndex: index,
      criticalSince: status === 'critical' ? (keepPrev ? prev.criticalSince : Date.now()) : undefined,
    });
  }

  #serviceName(serviceId: string): string | undefined {
    return this.services.get(serviceId)?.def.name;
  }

  #changed(index: number, serviceName: string | undefined): void {
    this.table = index;
    if (serviceName !== undefined) {
      this.serviceIndexes.set(serviceName.toLowerCase(), index);
      this.#pending.add(serviceName.toLowerCase());
    }
    this.#onWrite();
    this.#dirty = true;
    if (this.#ae.delayMs === 0 && this.#ae.ready()) this.syncNow();
    else this.scheduleSync();
  }
}
