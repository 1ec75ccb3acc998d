// `up` on the fake engine: the order of what it does, what a failure leaves, what re-runs.
import { describe, expect, it } from 'vitest';
import { fakeProject } from '../../test/support/fake-project.ts';
import { InterruptedError, UserError } from '../errors.ts';
import type { ServiceFile } from '../stack/schema.ts';

const DB = 'example/db:1';
const READY_LOG = { log: { pattern: 'ready to accept' } };

/** A database, and two services built from one image that wait for it. */
const shop = (over: Record<string, Partial<ServiceFile>> = {}): Record<string, ServiceFile> => ({
  db: { image: DB, volumes: ['data:/var/lib/db'], ready: READY_LOG, ...over.db },
  api: { build: 'app', image: 'shop/app:dev', depends_on: { db: { condition: 'ready' } }, ...over.api },
  worker: { build: 'app', image: 'shop/app:dev', depends_on: { db: { condition: 'ready' } }, ...over.worker },
});

function project() {
  const p = fakeProject('shop', [DB]);
  p.fake.behave('db', { logs: 'database system is ready to accept connections\n' });
  return p;
}

const changes = (log: readonly string[]) =>
  log.filter((l) => /^(create|start|stop|remove|restart|build|pull|ensure|clear-flags|action)/.test(l));

describe('bringUp on the fake engine', () => {
  it('creates the network and volume first, then each service once what it waits for is ready', async () => {
    const p = project();
    const result = await p.up(p.stack(shop()));
    const log = changes(p.fake.log());
    const at = (line: string) => log.indexOf(line);
    expect(at('ensureNetwork mkdev-shop')).toBe(0);
    expect(at('ensureVolume shop_data')).toBeLessThan(at('create shop-db-1'));
    expect(at('create shop-db-1')).toBeLessThan(at('start shop-db-1'));
    expect(at('start shop-db-1')).toBeLessThan(at('create shop-api-1'));
    expect(at('start shop-db-1')).toBeLessThan(at('create shop-worker-1'));
    expect(result.observed.containers.map((c) => `${c.name} ${c.state}`)).toEqual([
      'shop-api-1 running',
      'shop-db-1 running',
      'shop-worker-1 running',
    ]);
    expect(p.events.filter((e) => e.step === 'ready').map((e) => e.service)).toEqual(
      expect.arrayContaining(['db', 'api', 'worker']),
    );
  });

  it('builds an image two services share once', async () => {
    const p = project();
    await p.up(p.stack(shop()));
    expect(p.fake.log((c) => c.method === 'build')).toEqual(['build shop/app:dev']);
  });

  it('changes nothing the second time', async () => {
    const p = project();
    await p.up(p.stack(shop()));
    const newCalls = p.since();
    await p.up(p.stack(shop()));
    expect(changes(newCalls())).toEqual([]);
    expect(
      p.events
        .filter((e) => e.step === 'kept')
        .map((e) => e.service)
        .sort(),
    ).toEqual(['api', 'db', 'worker']);
  });

  it("asks the engine nothing more of kept containers: their ports are the observation's, no /info, one look", async () => {
    const p = project();
    await p.up(p.stack(shop()));
    const newCalls = p.since();
    await p.up(p.stack(shop()));
    expect(newCalls().filter((l) => /^(inspect|traits|observe)/.test(l))).toEqual(['observe shop']);
    // A run that starts a container still reads its ports, and the engine's traits for bind checks.
    const again = p.since();
    await p.up(p.stack(shop({ api: { env: { LEVEL: 'debug' } } })));
    expect(again()).toEqual(expect.arrayContaining(['inspect shop-api-1', expect.stringMatching(/^traits/)]));
  });

  it('recreates a changed service: stopped (gracefully) before it is removed, then created and started', async () => {
    const p = project();
    await p.up(p.stack(shop()));
    const newCalls = p.since();
    await p.up(p.stack(shop({ api: { env: { LEVEL: 'debug' } } })));
    expect(changes(newCalls())).toEqual([
      'stop shop-api-1',
      'remove shop-api-1',
      'create shop-api-1',
      'start shop-api-1',
    ]);
  });

  it('on a failed job, stops what this run started, keeps it, and starts nothing after the job', async () => {
    const p = project();
    await p.engine.ensureNetwork();
    const stack = p.stack({
      db: { image: DB, ready: READY_LOG },
      migrate: { image: DB, one_shot: true, depends_on: { db: { condition: 'ready' } } },
      api: { image: DB, depends_on: { migrate: { condition: 'completed' } } },
    });
    p.fake.behave('migrate', { exitCode: 1, logs: 'relation "users" already exists\n' });
    const failed = p.up(stack);
    await expect(failed).rejects.toBeInstanceOf(UserError);
    await expect(failed).rejects.toThrow('migrate failed: the job exited with code 1 (4 attempts)');
    await expect(failed).rejects.toMatchObject({
      details: expect.stringContaining('"users" already exists'),
    });
    const log = p.fake.log();
    expect(log).toContain('stop shop-db-1');
    expect(log.filter((l) => l.startsWith('create'))).toEqual(['create shop-db-1', 'create shop-migrate-1']);
    expect(log.filter((l) => l.startsWith('remove'))).toEqual([]);
    const states = (await p.engine.containers()).map((c) => `${c.name} ${c.state}`);
    expect(states).toEqual(['shop-db-1 exited', 'shop-migrate-1 exited']);
    expect(p.events.find((e) => e.service === 'migrate' && e.step === 'failed')).toBeDefined();
    expect(p.events.find((e) => e.service === 'api' && e.step === 'cancelled')).toBeDefined();
  });

  it('on a failed first up, removes what it created, volumes included (they hold no data yet)', async () => {
    const p = project();
    p.fake.behave('api', { exitCode: 2 });
    const stack = p.stack(
      shop({ api: { one_shot: true, restart: 'no', depends_on: { db: { condition: 'ready' } } } }),
    );
    await expect(p.up(stack)).rejects.toThrow('api failed: the job exited with code 2');
    const observed = await p.engine.observe();
    expect(observed.containers).toEqual([]);
    expect(observed.networkExists).toBe(false);
    expect(observed.volumes.size).toBe(0);
  });

  it('re-runs a completed job when what it depends on was recreated: its flag cleared before, set after', async () => {
    const p = project();
    const stack = p.stack({
      postgres: { image: DB, volumes: ['pg:/data'], ready: READY_LOG },
      consul: { image: DB, ready: READY_LOG },
      migrations: {
        image: DB,
        one_shot: true,
        depends_on: { postgres: { condition: 'ready' } },
        after_completed: [
          { consul_kv_put: { service: 'consul', port: 8500, key: 'migrated', value: 'yes' } },
        ],
      },
      kong: {
        image: DB,
        depends_on: { migrations: { condition: 'started' }, consul: { condition: 'started' } },
      },
    });
    for (const s of ['postgres', 'consul']) p.fake.behave(s, { logs: 'ready to accept\n' });
    p.fake.behave('migrations', { exitCode: 0 });
    await p.up(stack);
    const [postgres] = await p.engine.containers('postgres');
    await p.engine.remove(postgres as { id: string; service: string });
    const newCalls = p.since();
    await p.up(stack);
    const log = changes(newCalls());
    const at = (line: string) => log.indexOf(line);
    expect(at('create shop-postgres-1')).toBeGreaterThanOrEqual(0);
    expect(at('clear-flags migrated')).toBeGreaterThan(at('start shop-postgres-1'));
    expect(at('clear-flags migrated')).toBeLessThan(at('start shop-migrations-1'));
    expect(at('remove shop-migrations-1')).toBeLessThan(at('create shop-migrations-1'));
    expect(at('action consul_kv_put migrated')).toBeGreaterThan(at('start shop-migrations-1'));
    // Kong starts again once the job has: never on a database the job has not migrated.
    expect(at('start shop-kong-1')).toBeGreaterThan(at('start shop-migrations-1'));
    expect(log.filter((l) => l.includes('consul-1'))).toEqual([]);
    expect(p.events.find((e) => e.service === 'migrations' && e.step === 'recreate')?.message).toBe(
      'recreating (postgres changed since this job completed)',
    );
  });

  it('on Ctrl-C, stops waiting and leaves what it started running, even on a first up', async () => {
    const p = fakeProject('shop', [DB]);
    const stopped = new AbortController();
    const stack = p.stack(shop());
    const up = p.up(stack, {
      signal: stopped.signal,
      onEvent: (e) => {
        if (e.service === 'db' && e.step === 'probe') stopped.abort();
      },
    });
    await expect(up).rejects.toBeInstanceOf(InterruptedError);
    expect((await p.engine.containers()).map((c) => `${c.name} ${c.state}`)).toEqual(['shop-db-1 running']);
    expect(p.fake.log((c) => c.method === 'stop' || c.method === 'remove')).toEqual([]);
  });
});
