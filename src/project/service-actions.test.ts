// The dashboard's buttons on the fake engine: restart, stop and rebuild go through the same port
// operations as everything else (a rebuild's removal takes the container's anonymous volumes).
import { describe, expect, it } from 'vitest';
import { fakeProject } from '../../test/support/fake-project.ts';
import { ActionRefused, runServiceAction } from './service-actions.ts';

const DB = 'example/db:1';

async function upShop() {
  const p = fakeProject('shop', [DB]);
  // Its Dockerfile declares a VOLUME: every container of it gets an anonymous volume there.
  p.fake.dockerfileVolumes.set('mkdev-shop-api:dev', ['/cache']);
  const stack = p.stack({
    db: { image: DB },
    api: { build: 'app', replicas: 2, depends_on: { db: { condition: 'started' } } },
  });
  await p.up(stack);
  const target = { engine: p.engine, stack, host: '127.0.0.1', signal: AbortSignal.timeout(10_000) };
  return { ...p, stack, target };
}

const anonymousVolumes = (p: Awaited<ReturnType<typeof upShop>>) =>
  [...p.fake.containers.values()].filter((c) => c.service === 'api').flatMap((c) => c.anonymousVolumes);

describe('runServiceAction on the fake engine', () => {
  it("rebuild stops and removes the service's containers with their anonymous volumes, builds anew, starts fresh ones", async () => {
    const p = await upShop();
    const before = anonymousVolumes(p);
    expect(before).toHaveLength(2);
    const newCalls = p.since();
    expect(await runServiceAction(p.target, 'api', 'rebuild')).toBe('api rebuilt and ready');
    const log = newCalls().filter((l) => /^(stop|remove|build|create|start)/.test(l));
    expect(log).toEqual([
      'stop shop-api-1',
      'remove shop-api-1',
      'stop shop-api-2',
      'remove shop-api-2',
      'removeImage mkdev-shop-api:dev',
      'build mkdev-shop-api:dev',
      'create shop-api-1',
      'create shop-api-2',
      'start shop-api-1',
      'start shop-api-2',
    ]);
    for (const volume of before) expect(p.fake.volumes.has(volume)).toBe(false);
    expect(anonymousVolumes(p)).toHaveLength(2);
    expect(p.fake.log((c) => c.target.includes('db-1') && c.method !== 'containers')).not.toContain(
      'stop shop-db-1',
    );
  });

  it('restart restarts every replica; stop stops them (with the one grace)', async () => {
    const p = await upShop();
    const newCalls = p.since();
    expect(await runServiceAction(p.target, 'api', 'restart')).toBe('api restarted');
    expect(await runServiceAction(p.target, 'api', 'stop')).toBe('api stopped');
    expect(newCalls().filter((l) => /^(restart|stop)/.test(l))).toEqual([
      'restart shop-api-1',
      'restart shop-api-2',
      'stop shop-api-1',
      'stop shop-api-2',
    ]);
    expect((await p.engine.containers('api')).map((c) => c.state)).toEqual(['exited', 'exited']);
  });

  it('refuses what cannot be done, saying why, and touches nothing', async () => {
    const p = await upShop();
    const newCalls = p.since();
    await expect(runServiceAction(p.target, 'db', 'rebuild')).rejects.toThrow(
      new ActionRefused('db is not built from a Dockerfile: nothing to rebuild'),
    );
    await expect(runServiceAction(p.target, 'nope', 'restart')).rejects.toThrow("no service 'nope'");
    expect(newCalls().filter((l) => !l.startsWith('containers'))).toEqual([]);
  });
});
