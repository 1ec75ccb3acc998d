// Kong looks the Postgres host up through its own DNS client on every connection
// (kong/globalpatches.lua:553-564; the keepalive pool is keyed by the address it resolved to), so
// what its cache holds decides where it connects: a new Postgres IP once the cached answer expires,
// and with nothing cached (dns_stale_ttl 0) no new connection while the DNS server is down. Readiness
// connects each time (kong/status/ready.lua:73-80).
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startDns, type TestDns } from './helpers/dns-server.ts';
import { type KongNode, runKong, startKong, waitFor } from './helpers/kong.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';

let pg: TestPostgres;
let dns: TestDns;
let dbEnv: Record<string, string>;
const nodes: KongNode[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  dns = await startDns();
  // Docker's embedded DNS answers container names with a TTL (600 s); 1 s keeps this test short
  dns.records.set('postgres.example', { a: ['127.0.0.1'], ttl: 1 });
  dbEnv = {
    ...(await freshDatabase(pg)),
    KONG_PG_HOST: 'postgres.example',
    KONG_DNS_RESOLVER: `127.0.0.1:${dns.port}`,
    // a DNS server that does not answer costs attempts x timeout per query (5 x 2 s by default)
    RES_OPTIONS: 'timeout:1 attempts:2',
  };
  const boot = await runKong(['migrations', 'bootstrap'], dbEnv);
  expect(boot.code, boot.stderr).toBe(0);
});
afterAll(async () => {
  for (const n of nodes) await n.stop();
  await dns?.close();
  await pg?.stop();
});

const ready = async (kong: KongNode) => {
  const r = await fetch(`${kong.status}/status/ready`);
  return { status: r.status, message: ((await r.json()) as { message: string }).message };
};

describe('the Postgres host through the DNS client, per connection', () => {
  it('follows a new address once the cached answer expires, without a restart', async () => {
    const kong = await startKong({ ...dbEnv, KONG_DNS_STALE_TTL: '0' });
    nodes.push(kong);
    expect(await ready(kong)).toEqual({ status: 200, message: 'ready' });
    const asked = () => dns.queries.filter((q) => q.name === 'postgres.example').length;
    const before = asked();
    // Postgres "moves": the name now points where nothing listens
    dns.records.set('postgres.example', { a: ['127.0.0.3'], ttl: 1 });
    onTestFinished(() => {
      dns.records.set('postgres.example', { a: ['127.0.0.1'], ttl: 1 });
    });
    const down = await waitFor('not ready at the old name', async () => {
      const r = await ready(kong);
      return r.status === 503 ? r : undefined;
    });
    expect(down.message).toBe('failed to connect to database');
    expect(asked()).toBeGreaterThan(before);
    // the Admin API's connections go to the new address too (500: not in the published spec)
    expect((await fetch(`${kong.admin}/services`)).status).toBe(500);
    dns.records.set('postgres.example', { a: ['127.0.0.1'], ttl: 1 });
    await waitFor('ready again', async () => (await ready(kong)).status === 200);
    expect((await kong.api('GET', '/services')).status).toBe(200);
  });

  it('with dns_stale_ttl 0 a DNS server that is down stops new connections; a stale TTL rides it out', async () => {
    const strict = await startKong({ ...dbEnv, KONG_DNS_STALE_TTL: '0' });
    const stale = await startKong({ ...dbEnv, KONG_DNS_STALE_TTL: '60' });
    nodes.push(strict, stale);
    expect((await ready(strict)).status).toBe(200);
    expect((await ready(stale)).status).toBe(200);
    dns.paused = true;
    try {
      // once the 1 s answer expired: nothing left to connect with for one node, a stale answer for the other
      const down = await waitFor(
        'strict node not ready',
        async () => {
          const r = await ready(strict);
          return r.status === 503 ? r : undefined;
        },
        30_000,
      );
      expect(down.message).toBe('failed to connect to database');
      expect(await ready(stale)).toEqual({ status: 200, message: 'ready' });
    } finally {
      dns.paused = false;
    }
    await waitFor('strict node ready again', async () => (await ready(strict)).status === 200, 30_000);
  });
});
