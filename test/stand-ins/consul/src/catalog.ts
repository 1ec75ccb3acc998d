// The single node's catalog: agent-registered services, their checks, the node's serfHealth check and
// the built-in "consul" service. Every change advances the raft index and wakes blocking queries.

import type { Logger } from './log.ts';
import type { RaftIndex } from './raft-index.ts';

export type CheckStatus = 'passing' | 'warning' | 'critical' | 'maintenance';

export interface NodeInfo {
  id: string;
  name: string;
  address: string;
  datacenter: string;
  version: string;
}

export interface ServiceDef {
  id: string;
  name: string;
  tags: string[];
  address: string;
  port: number;
  meta: Record<string, string>;
  weights: { Passing: number; Warning: number };
  enableTagOverride: boolean;
  taggedAddresses: Record<string, { Address: string; Port: number }>;
}

export interface CheckDef {
  checkId: string;
  name: string;
  notes: string;
  serviceId: string;
  type: 'http' | 'tcp' | 'ttl' | 'maintenance' | '';
  http?: string;
  method?: string;
  header?: Record<string, string[]>;
  body?: string;
  tcp?: string;
  ttlMs?: number;
  intervalMs?: number;
  timeoutMs?: number;
  deregisterAfterMs?: number;
  initialStatus: CheckStatus;
}

export interface CheckState {
  def: CheckDef;
  status: CheckStatus;
  output: string;
  createIndex: number;
  modifyIndex: number;
  criticalSince: number | undefined;
}

export interface ServiceState {
  def: ServiceDef;
  createIndex: number;
  modifyIndex: number;
}

export class Catalog {
  readonly node: NodeInfo;
  readonly services = new Map<string, ServiceState>();
  readonly checks = new Map<string, CheckState>();
  readonly serfHealth: CheckState;
  readonly consulService: ServiceState | undefined;
  readonly #serviceIndex = new Map<string, number>();
  #tableIndex = 1;
  readonly #raft: RaftIndex;
  readonly #log: Logger;
  readonly #onWrite: () => void;

  constructor(node: NodeInfo, server: boolean, raft: RaftIndex, log: Logger, onWrite: () => void = () => {}) {
    this.node = node;
    this.#raft = raft;
    this.#log = log;
    this.#onWrite = onWrite;
    const index = raft.next();
    this.serfHealth = {
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
    if (server) {
      this.consulService = {
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
      };
    }
    this.#tableIndex = index;
  }

  /** All instances in the catalog, the consul service included. */
  allServices(): ServiceState[] {
    const list = [...this.services.values()];
    if (this.consulService) list.unshift(this.consulService);
    return list;
  }

  /** Instances of a service; names match case-insensitively, as Consul's lowercase service index does. */
  instancesOf(name: string): ServiceState[] {
    const wanted = name.toLowerCase();
    return this.allServices()
      .filter((s) => s.def.name.toLowerCase() === wanted)
      .sort((a, b) => (a.def.id < b.def.id ? -1 : 1));
  }

  /** Checks that apply to an instance: the node's checks (serfHealth first), then the instance's own. */
  checksForInstance(s: ServiceState): CheckState[] {
    const own = s === this.consulService ? [] : this.ownChecks(s.def.id);
    return [this.serfHealth, ...this.ownChecks(''), ...own];
  }

  /** Checks registered for one service ID ('' = node-level checks such as _node_maintenance). */
  ownChecks(serviceId: string): CheckState[] {
    return [...this.checks.values()]
      .filter((c) => c.def.serviceId === serviceId)
      .sort((a, b) => (a.def.checkId < b.def.checkId ? -1 : 1));
  }

  allChecks(): CheckState[] {
    return [
      this.serfHealth,
      ...[...this.checks.values()].sort((a, b) => (a.def.checkId < b.def.checkId ? -1 : 1)),
    ];
  }

  /** X-Consul-Index for reads of one service (or of the services table when the name is unknown). */
  serviceIndex(name: string): number {
    return this.#serviceIndex.get(name.toLowerCase()) ?? this.#tableIndex;
  }

  get tableIndex(): number {
    return this.#tableIndex;
  }

  registerService(def: ServiceDef, checks: CheckDef[], replaceExistingChecks: boolean): void {
    const index = this.#raft.next();
    const prev = this.services.get(def.id);
    if (prev && prev.def.name !== def.name) this.#serviceIndex.set(prev.def.name.toLowerCase(), index);
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
    this.#tableIndex = index;
    if (serviceName !== undefined) this.#serviceIndex.set(serviceName.toLowerCase(), index);
    this.#onWrite();
    this.#raft.notify();
  }
}

/** The address DNS and clients should use: the service's own, else the node's. */
export function effectiveAddress(node: NodeInfo, svc: ServiceDef): string {
  return svc.address || node.address;
}

/** api.HealthChecks.AggregatedStatus: a maintenance check wins, then critical, warning, passing. */
export function aggregateStatus(checks: CheckState[]): CheckStatus {
  if (checks.some((c) => c.def.type === 'maintenance')) return 'maintenance';
  if (checks.some((c) => c.status === 'critical')) return 'critical';
  if (checks.some((c) => c.status === 'warning')) return 'warning';
  return 'passing';
}
