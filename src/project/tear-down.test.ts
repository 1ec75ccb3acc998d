// `down` on the fake engine: dependents stop first, each with the grace asked for; the network goes,
// data volumes and built images only when asked.
import { describe, expect, it } from 'vitest';
import { fakeProject } from '../../test/support/fake-project.ts';
import { tearDown } from './tear-down.ts';

const DB = 'example/db:1';

async function upShop() {
  const p = fakeProject('shop', [DB]);
  await p.up(
    p.stack({
      db: { image: DB, volumes: ['data:/var/lib/db'] },
      cache: { image: DB },
      api: { build: 'app', depends_on: { db: { condition: 'started' } } },
      web: { image: DB, depends_on: { api: { condition: 'started' } } },
    }),
  );
  return p;
}

describe('tearDown on the fake engine', () => {
  it('stops dependents before what they depend on, then removes them and the network, keeping data', async () => {
    const p = await upShop();
    const newCalls = p.since();
    const result = await tearDown(p.engine, { volumes: false });
    const log = newCalls();
    const at = (line: string) => log.indexOf(line);
    expect(at('stop shop-web-1 -t 10')).toBeLessThan(at('stop shop-api-1 -t 10'));
    expect(at('stop shop-api-1 -t 10')).toBeLessThan(at('stop shop-db-1 -t 10'));
    expect(at('stop shop-cache-1 -t 10')).toBeGreaterThanOrEqual(0);
    expect(at('removeNetwork mkdev-shop')).toBeGreaterThan(
      Math.max(...log.map((l, i) => (l.startsWith('remove ') ? i : -1))),
    );
    expect(result).toEqual({ containers: 4, networks: 1, stuckNetworks: [], volumes: 0, images: 0 });
    const observed = await p.engine.observe();
    expect(observed.containers).toEqual([]);
    expect(observed.networkExists).toBe(false);
    expect([...observed.volumes]).toEqual(['shop_data']);
    expect(observed.builtFor.get('mkdev-shop-api:dev')).toBeDefined();
  });

  it('with no grace, removes at once without stopping; with --volumes and --images, the data and builds go', async () => {
    const p = await upShop();
    const newCalls = p.since();
    const result = await tearDown(p.engine, { volumes: true, images: true, stopTimeoutSeconds: 0 });
    expect(newCalls().filter((l) => l.startsWith('stop'))).toEqual([]);
    expect(result).toMatchObject({ containers: 4, volumes: 1, images: 1 });
    const observed = await p.engine.observe();
    expect(observed.volumes.size).toBe(0);
    expect(observed.builtFor.size).toBe(0);
    expect(observed.images.has(DB)).toBe(true);
  });

  it('stops only what runs, and finds nothing to do the second time', async () => {
    const p = await upShop();
    const [cache] = await p.engine.containers('cache');
    if (cache) await p.engine.stop(cache);
    const newCalls = p.since();
    await tearDown(p.engine, { volumes: false });
    expect(newCalls()).not.toContain('stop shop-cache-1 -t 10');
    expect(await tearDown(p.engine, { volumes: false })).toEqual({
      containers: 0,
      networks: 0,
      stuckNetworks: [],
      volumes: 0,
      images: 0,
    });
  });
});
