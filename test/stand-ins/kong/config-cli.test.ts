import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKong, startKong } from './helpers/kong.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';
import { loadConfig } from './src/config.ts';

const RESOLVER_MSG = 'dns_resolver must be a comma separated list in the form of IPv4/6 or IPv4/6:port';

describe('configuration', () => {
  it('has Kong defaults', () => {
    const c = loadConfig({});
    expect(c.database).toBe('postgres');
    expect(c.pg).toMatchObject({ host: '127.0.0.1', port: 5432, user: 'kong', database: 'kong' });
    expect(c.adminListen.map((l) => `${l.host}:${l.port}${l.ssl ? ' ssl' : ''}`)).toEqual([
      '127.0.0.1:8001',
      '127.0.0.1:8444 ssl',
    ]);
    expect(c.proxyListen[0]).toMatchObject({ host: '0.0.0.0', port: 8000, ssl: false });
    expect(c.statusListen).toMatchObject([{ host: '127.0.0.1', port: 8007 }]);
    expect(c.dnsOrder).toEqual(['LAST', 'SRV', 'A', 'CNAME']);
    expect(c.dnsResolver).toEqual([]);
    expect(c.dnsTtl).toEqual({ stale: 3600, notFound: 30, error: 1, valid: null });
    expect(c.workerConsistency).toBe('eventual');
    expect(c.workerStateUpdateFrequency).toBe(5);
    expect(c.dbUpdateFrequency).toBe(5);
    expect(c.dbUpdatePropagation).toBe(0);
  });

  it('reads the DNS cache, cluster events and worker consistency settings', () => {
    const c = loadConfig({
      KONG_DNS_STALE_TTL: '4',
      KONG_DNS_NOT_FOUND_TTL: '1',
      KONG_DNS_ERROR_TTL: '0.5',
      KONG_DNS_VALID_TTL: '10',
      KONG_DB_UPDATE_FREQUENCY: '1',
      KONG_WORKER_CONSISTENCY: 'strict',
      KONG_WORKER_STATE_UPDATE_FREQUENCY: '2',
    });
    expect(c.dnsTtl).toEqual({ stale: 4, notFound: 1, error: 0.5, valid: 10 });
    expect(c).toMatchObject({
      dbUpdateFrequency: 1,
      workerConsistency: 'strict',
      workerStateUpdateFrequency: 2,
    });
    expect(() => loadConfig({ KONG_WORKER_STATE_UPDATE_FREQUENCY: '0' })).toThrow(
      'worker_state_update_frequency must be greater than 0',
    );
    expect(() => loadConfig({ KONG_DNS_NOT_FOUND_TTL: 'soon' })).toThrow(
      "dns_not_found_ttl is not a number: 'soon'",
    );
  });

  it('parses listen lists and IP resolvers', () => {
    const c = loadConfig({
      KONG_ADMIN_LISTEN: '0.0.0.0:8001, 0.0.0.0:8444 ssl',
      KONG_STATUS_LISTEN: '0.0.0.0:8100',
      KONG_DNS_RESOLVER: '10.0.0.2:8600,[::1]:53,10.0.0.3',
    });
    expect(c.adminListen).toMatchObject([
      { host: '0.0.0.0', port: 8001, ssl: false },
      { host: '0.0.0.0', port: 8444, ssl: true },
    ]);
    expect(c.statusListen).toMatchObject([{ host: '0.0.0.0', port: 8100 }]);
    expect(c.dnsResolver).toEqual([
      { host: '10.0.0.2', port: 8600 },
      { host: '::1', port: 53 },
      { host: '10.0.0.3', port: 53 },
    ]);
  });

  it('refuses a hostname as dns_resolver, and bad listen values', () => {
    expect(() => loadConfig({ KONG_DNS_RESOLVER: 'consul:8600' })).toThrow(
      `${RESOLVER_MSG}, got 'consul:8600'`,
    );
    expect(() => loadConfig({ KONG_ADMIN_LISTEN: 'localhost' })).toThrow(/admin_listen must be of form/);
    expect(() => loadConfig({ KONG_DATABASE: 'cassandra' })).toThrow(/database has an invalid value/);
  });

  it('reads KONG_<NAME>_FILE and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kong-file-'));
    writeFileSync(join(dir, 'pw'), 's3cret\n');
    expect(loadConfig({ KONG_PG_PASSWORD_FILE: join(dir, 'pw') }).pg.password).toBe('s3cret');
    expect(() => loadConfig({ KONG_PG_PASSWORD: 'x', KONG_PG_PASSWORD_FILE: join(dir, 'pw') })).toThrow(
      'both KONG_PG_PASSWORD and KONG_PG_PASSWORD_FILE are set (but are exclusive)',
    );
  });
});

describe('kong CLI against Postgres', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());

  it('kong version; a hostname resolver makes start fail with Kong message', async () => {
    expect((await runKong(['version'], {})).stdout.trim()).toMatch(/^3\.9\.\d+$/);
    const r = await runKong(['docker-start'], { KONG_DNS_RESOLVER: 'consul:8600' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Error: ${RESOLVER_MSG}, got 'consul:8600'`);
  });

  it('migrations: start refuses an empty database; bootstrap, bootstrap again, up, finish, list', async () => {
    const env = await freshDatabase(pg);
    const listBefore = await runKong(['migrations', 'list'], env);
    expect(listBefore.code).toBe(3);
    const start = await runKong(['docker-start'], {
      ...env,
      KONG_PREFIX: mkdtempSync(join(tmpdir(), 'kp-')),
    });
    expect(start.code).not.toBe(0);
    expect(start.stderr).toContain('Database needs bootstrapping or is older than Kong 1.0.');
    expect(start.stderr).toContain(
      "To start a new installation from scratch, run 'kong migrations bootstrap'.",
    );
    const boot = await runKong(['migrations', 'bootstrap'], env);
    expect(boot.code).toBe(0);
    expect(boot.stdout).toContain('Database is up-to-date');
    const again = await runKong(['migrations', 'bootstrap'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Database already bootstrapped');
    expect((await runKong(['migrations', 'up'], env)).stdout).toContain('Database is already up-to-date');
    expect((await runKong(['migrations', 'finish'], env)).code).toBe(0);
    const list = await runKong(['migrations', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/Executed migrations:\ncore: 000_base/);
  });

  it("worker_consistency given at `kong start` logs 3.9's deprecation warnings, whatever its value; docker-start does not", async () => {
    // kong/conf_loader/init.lua:81-104 (constants.lua:400-405); only start loads the configuration
    // with its log on (kong/cmd/start.lua:50-52); prepare (docker-start) and nginx's init do not warn.
    const env = await freshDatabase(pg);
    await runKong(['migrations', 'bootstrap'], env);
    const warnings = [
      "[warn] the configuration value 'strict' for configuration property 'worker_consistency' is deprecated",
      "[warn] the 'worker_consistency' configuration property is deprecated",
    ];
    for (const value of ['strict', 'eventual']) {
      const started = await startKong({ ...env, KONG_WORKER_CONSISTENCY: value }, { command: 'start' });
      await started.stop();
      for (const w of warnings) expect(started.logs()).toContain(w);
    }
    const unset = await startKong(env, { command: 'start' });
    await unset.stop();
    expect(unset.logs()).not.toContain('deprecated');
    const docker = await startKong({ ...env, KONG_WORKER_CONSISTENCY: 'strict' });
    await docker.stop();
    expect(docker.logs()).not.toContain('deprecated');
  });

  it('a wrong password fails with the Postgres error', async () => {
    const env = await freshDatabase(pg);
    const r = await runKong(['migrations', 'bootstrap'], { ...env, KONG_PG_PASSWORD: 'wrong' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('password authentication failed for user "kong"');
  });

  it('health follows the process; entities survive a restart; SIGQUIT stops quickly', async () => {
    const env = await freshDatabase(pg);
    await runKong(['migrations', 'bootstrap'], env);
    const a = await startKong(env);
    expect((await runKong(['health'], a.env)).code).toBe(0);
    await a.api('POST', '/services', { name: 'survivor', host: 'survivor.internal' });
    // Exit 0: it handled SIGQUIT and stopped by itself.
    expect(await a.stop('SIGQUIT')).toBe(0);
    expect(a.logs()).toContain('kong started');
    const b = await startKong(env);
    try {
      expect((await b.api('GET', '/services/survivor')).status).toBe(200);
    } finally {
      await b.stop();
    }
    const prefix = mkdtempSync(join(tmpdir(), 'kp-'));
    expect((await runKong(['health'], { KONG_PREFIX: prefix })).code).toBe(1);
  });

  it('/status/ready is 503 "failed to connect to database" once Postgres is gone (kong/status/ready.lua)', async () => {
    const own = await startPostgres();
    try {
      const env = await freshDatabase(own);
      await runKong(['migrations', 'bootstrap'], env);
      const k = await startKong(env);
      try {
        const ready = await fetch(`${k.status}/status/ready`);
        expect([ready.status, await ready.json()]).toEqual([200, { message: 'ready' }]);
        await own.stop();
        const down = await fetch(`${k.status}/status/ready`);
        expect([down.status, await down.json()]).toEqual([503, { message: 'failed to connect to database' }]);
      } finally {
        await k.stop();
      }
    } finally {
      await own.stop();
    }
  });

  it('database=off: writes answer 405 code 12; readiness reports no configuration', async () => {
    const k = await startKong({ KONG_DATABASE: 'off' }, { expectReady: false });
    try {
      const { waitFor } = await import('./helpers/kong.ts');
      await waitFor('admin up', async () => (await k.api('GET', '/status')).status === 200);
      const r = await k.api('POST', '/services', { host: 'x.internal' });
      expect(r.status).toBe(405);
      expect(r.body).toEqual({
        code: 12,
        name: 'operation unsupported',
        message: "cannot create 'services' entities when not using a database",
      });
      expect((await k.api('GET', '/services')).body).toEqual({ data: [], next: null });
      // Kong validates before the strategy refuses: a bad body is still a schema violation.
      expect((await k.api('POST', '/services', { port: 1 })).status).toBe(400);
      expect((await k.api('PUT', '/services/named', { host: 'x.internal' })).body.message).toBe(
        "cannot create or update 'services' entities by 'name' when not using a database",
      );
      expect((await k.api('DELETE', '/services/named')).status).toBe(204);
      expect((await fetch(`${k.status}/status/ready`)).status).toBe(503);
    } finally {
      await k.stop();
    }
  });
});
