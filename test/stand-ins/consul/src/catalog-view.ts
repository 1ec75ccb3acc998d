// Services and checks of the single node, read-only: the agent's local state and the servers' catalog
// (what /v1/catalog, /v1/health and DNS read) are both one of these.

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

export class CatalogView {
  readonly node: NodeInfo;
  readonly serfHealth: CheckState;
  readonly consulService: ServiceState | undefined;
  readonly services = new Map<string, ServiceState>();
  readonly checks = new Map<string, CheckState>();
  protected readonly serviceIndexes = new Map<string, number>();
  protected table = 1;

  constructor(node: NodeInfo, serfHealth: CheckState, consulService: ServiceState | undefined) {
    this.node = node;
    this.serfHealth = serfHealth;
    this.consulService = consulService;
    this.table = serfHealth.createIndex;
  }

  /** All instances, the consul service included. */
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
    return this.serviceIndexes.get(name.toLowerCase()) ?? this.table;
  }

  get tableIndex(): number {
    return this.table;
  }

  /** Replaces this view's content with a copy of another's (entries copied, so later changes stay there). */
  copyFrom(other: CatalogView, index: number, changedNames: Iterable<string>): void {
    this.services.clear();
    for (const [id, s] of other.services) this.services.set(id, { ...s });
    this.checks.clear();
    for (const [id, c] of other.checks) this.checks.set(id, { ...c });
    this.table = index;
    for (const name of changedNames) this.serviceIndexes.set(name, index);
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
