// The agent's local state versus the servers' catalog, with fake timers: Consul answers the agent API
// from its local state and carries changes to the catalog (health API, DNS) by anti-entropy, which
// needs a leader.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Catalog, type CheckDef, type ServiceDef } from './src/catalog.ts';
import { silentLogger } from './src/log.ts';
import { RaftIndex } from './src/raft-index.ts';

const NODE = { id: 'n', name: 'node', address: '127.0.0.1', datacenter: 'dc1', version: '1.20.5' };

const service = (id: string): ServiceDef => ({
  id,
  name: id,
  tags: [],
  address: '',
  port: 1,
  meta: {},
  weights: { Passing: 1, Warning: 1 },
  enableTagOverride: false,
  taggedAddresses: {},
});

const ttlCheck = (serviceId: string): CheckDef => ({
  checkId: `${serviceId}-ttl`,
  name: 'ttl',
  notes: '',
  serviceId,
  type: 'ttl',
  ttlMs: 60_000,
  initialStatus: 'passing',
});

let leader: boolean;
let catalog: Catalog;

beforeEach(() => {
  vi.useFakeTimers();
  leader = true;
  catalog = new Catalog(NODE, true, new RaftIndex(), silentLogger, () => {}, {
    delayMs: 100,
    ready: () => leader,
  });
});
afterEach(() => {
  catalog.stop();
  vi.useRealTimers();
});

describe('anti-entropy', () => {
  it('shows a registration, a status change and a deregistration in the catalog only after the sync', async () => {
    catalog.registerService(service('web'), [ttlCheck('web')], true);
    expect(catalog.services.has('web')).toBe(true);
    expect(catalog.synced.instancesOf('web')).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(catalog.synced.instancesOf('web').map((s) => s.def.id)).toEqual(['web']);

    catalog.updateCheck('web-ttl', 'critical', 'TTL expired');
    expect(catalog.synced.checks.get('web-ttl')?.status).toBe('passing');
    await vi.advanceTimersByTimeAsync(100);
    expect(catalog.synced.checks.get('web-ttl')?.status).toBe('critical');

    catalog.deregisterService('web');
    expect(catalog.synced.instancesOf('web').length).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(catalog.synced.instancesOf('web')).toEqual([]);
  });

  it('holds changes made before there is a leader back until one is elected', async () => {
    leader = false;
    catalog.registerService(service('early'), [], true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(catalog.services.has('early')).toBe(true);
    expect(catalog.synced.services.has('early')).toBe(false);
    leader = true;
    catalog.scheduleSync();
    await vi.advanceTimersByTimeAsync(100);
    expect(catalog.synced.services.has('early')).toBe(true);
  });

  it('moves the X-Consul-Index of a service only when the catalog changes', async () => {
    const before = catalog.synced.serviceIndex('web');
    catalog.registerService(service('web'), [], true);
    expect(catalog.synced.serviceIndex('web')).toBe(before);
    const synced = catalog.whenSynced();
    await vi.advanceTimersByTimeAsync(100);
    await synced;
    expect(catalog.synced.serviceIndex('web')).toBeGreaterThan(before);
  });
});
