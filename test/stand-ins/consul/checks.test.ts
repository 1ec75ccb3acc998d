// The check runner's timing with fake timers: when the first run of an interval check happens, and when
// the reaper removes a service whose check stays critical. Probes are replaced so no I/O is involved.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Catalog, type CheckDef, type ServiceDef } from './src/catalog.ts';
import { CheckRunner } from './src/checks.ts';
import { silentLogger } from './src/log.ts';
import { RaftIndex } from './src/raft-index.ts';

vi.mock('./src/check-probes.ts', () => ({
  probeHttp: async () => ({ status: 'passing', output: 'HTTP GET http://x/: 200 OK Output: ok' }),
  probeTcp: async () => ({ status: 'critical', output: 'dial tcp 127.0.0.1:1: connect: connection refused' }),
}));

const NODE = { id: 'n', name: 'node', address: '127.0.0.1', datacenter: 'dc1', version: '1.20.5' };

function service(id: string): ServiceDef {
  return {
    id,
    name: id,
    tags: [],
    address: '',
    port: 1,
    meta: {},
    weights: { Passing: 1, Warning: 1 },
    enableTagOverride: false,
    taggedAddresses: {},
  };
}

function check(serviceId: string, type: 'http' | 'tcp', extra: Partial<CheckDef> = {}): CheckDef {
  return {
    checkId: `service:${serviceId}`,
    name: `Service '${serviceId}' check`,
    notes: '',
    serviceId,
    type,
    ...(type === 'http' ? { http: 'http://x/' } : { tcp: '127.0.0.1:1' }),
    intervalMs: 4_000,
    initialStatus: 'critical',
    ...extra,
  };
}

let catalog: Catalog;
let runner: CheckRunner;

beforeEach(() => {
  vi.useFakeTimers();
  catalog = new Catalog(NODE, true, new RaftIndex(), silentLogger);
  runner = new CheckRunner(catalog);
});
afterEach(() => {
  runner.stop();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('the check runner', () => {
  it('runs an interval check first at a random point within one interval, not at once', async () => {
    // Consul's CheckHTTP.run: initialPauseTime := lib.RandomStagger(c.Interval).
    vi.spyOn(Math, 'random').mockReturnValue(0.75);
    catalog.registerService(service('web'), [check('web', 'http')], true);
    runner.sync();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(catalog.checks.get('service:web')?.status).toBe('critical');
    await vi.advanceTimersByTimeAsync(2);
    expect(catalog.checks.get('service:web')?.status).toBe('passing');
  });

  it('deregisters a service on the first 30 s reaper pass after its check was critical for longer than the minimum of 1m', async () => {
    // DeregisterCriticalServiceAfter below check_deregister_interval_min (1m) counts as 1m (the
    // service definition raises it before it reaches the runner).
    catalog.registerService(service('gone'), [check('gone', 'tcp', { deregisterAfterMs: 60_000 })], true);
    runner.sync();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(catalog.services.has('gone')).toBe(true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(catalog.services.has('gone')).toBe(false);
  });
});
