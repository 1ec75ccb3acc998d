// The default stack's Kong settings, each the answer to a behaviour of Kong 3.9's source
// (test/stand-ins/kong/PARITY.md); the docker tests that hold the behaviours are named beside each.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStack } from './load-stack.ts';

const kong = async () =>
  (await loadStack({ cwd: mkdtempSync(join(tmpdir(), 'mkdev-kong-')), project: 'demo', env: {} })).services
    .kong;

describe("the default stack's Kong", () => {
  it('keeps 5 s of stale DNS answers, so a retry has something to resolve (test/kong-retries.docker.test.ts)', async () => {
    const env = (await kong())?.env ?? {};
    expect(env.KONG_DNS_STALE_TTL).toBe('5');
    expect(env.KONG_DNS_NOT_FOUND_TTL).toBe('1');
    expect(env.KONG_DNS_ERROR_TTL).toBe('1');
    // Consul's TTL-0 answers are not held longer than Consul says
    expect(env).not.toHaveProperty('KONG_DNS_VALID_TTL');
  });

  it('asks SRV first for every name, so each instance is reached at its own port (test/watch-run.test.ts, the mkdev run swaps)', async () => {
    const env = (await kong())?.env ?? {};
    // no LAST: an A answer that once worked would be asked first from then on, with the service's port
    expect(env.KONG_DNS_ORDER?.split(',')).toEqual(['SRV', 'A', 'CNAME']);
  });

  it('rebuilds its router every second and never gives the deprecated worker_consistency', async () => {
    const env = (await kong())?.env ?? {};
    expect(env.KONG_WORKER_STATE_UPDATE_FREQUENCY).toBe('1');
    // given at all (even `eventual`), Kong 3.9 warns that it is deprecated
    expect(env).not.toHaveProperty('KONG_WORKER_CONSISTENCY');
  });

  it('gets no search domains from the host (test/kong-dns-search.docker.test.ts)', async () => {
    expect((await kong())?.dnsSearch).toEqual(['.']);
  });

  it('is recreated when Consul is, having taken its IP as resolver (test/kong-dns-recovery.docker.test.ts)', async () => {
    expect((await kong())?.restartWith).toEqual(['consul']);
  });
});
