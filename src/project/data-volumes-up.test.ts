// Main's data safety through the engine port, on the fake: what `up` records on a data volume it
// creates, and its refusal of a volume the image cannot open, before anything is changed.
import { describe, expect, it } from 'vitest';
import { fakeProject } from '../../test/support/fake-project.ts';
import { LABEL } from '../engine/labels.ts';
import { UserError } from '../errors.ts';
import type { ServiceFile } from '../stack/schema.ts';

const PG17 = 'example/postgres:17';
const db: Record<string, ServiceFile> = {
  postgres: { image: PG17, volumes: ['pgdata:/var/lib/postgresql/data'] },
};

function project() {
  const p = fakeProject('shop');
  // The official image's environment: what mkdev reads the product and its major from.
  p.fake.addImage(PG17, { env: ['PG_MAJOR=17', 'PGDATA=/var/lib/postgresql/data'] });
  return p;
}

describe('data volumes through the engine port', () => {
  it("labels a new data volume with the image it is created for and the data's product and version", async () => {
    const p = project();
    const result = await p.up(p.stack(db));
    const op = result.plan.operations.find((o) => o.type === 'create-volume');
    expect(op).toMatchObject({ resource: 'shop_pgdata', labels: { [LABEL.dataVersion]: '17' } });
    expect(p.fake.volumes.get('shop_pgdata')?.labels).toMatchObject({
      [LABEL.project]: 'shop',
      [LABEL.image]: PG17,
      [LABEL.dataProduct]: 'postgres',
      [LABEL.dataVersion]: '17',
    });
  });

  it("refuses a volume of an older major's data before creating or starting anything", async () => {
    const p = project();
    p.fake.volumes.set('shop_pgdata', { labels: { [LABEL.project]: 'shop' } });
    p.fake.volumeFiles.set('shop_pgdata', new Map([['PG_VERSION', '15\n']]));
    const calls = p.since();
    const refused = p.up(p.stack(db));
    await expect(refused).rejects.toBeInstanceOf(UserError);
    await expect(refused).rejects.toThrow(/PostgreSQL 17 cannot open the data directory of PostgreSQL 15/);
    // Read without running anything; nothing created, started or written.
    expect(calls().filter((l) => /^(create|start|ensure|startHelper)/.test(l))).toEqual([]);
    expect(calls()).toContain(`readVolumeFiles shop_pgdata ${PG17}`);
  });

  it('opens a volume of the same major', async () => {
    const p = project();
    p.fake.volumes.set('shop_pgdata', { labels: { [LABEL.project]: 'shop' } });
    p.fake.volumeFiles.set('shop_pgdata', new Map([['PG_VERSION', '17\n']]));
    const result = await p.up(p.stack(db));
    expect(result.observed.containers.map((c) => `${c.name} ${c.state}`)).toEqual([
      'shop-postgres-1 running',
    ]);
  });
});
