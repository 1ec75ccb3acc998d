import { describe, expect, it } from 'vitest';
import { unexpectedRestoreErrors } from './postgres-dump-restore.ts';
import { type ClusterInventory, inventoryDifferences } from './postgres-inventory.ts';

const inv = (over: Partial<ClusterInventory> = {}): ClusterInventory => ({
  roles: { kong: '[true]', app: '[false]' },
  databases: { kong: '["kong"]', appdb: '["app"]' },
  tables: { 'appdb/public.t': { rows: 3, checksum: 'abc' } },
  ...over,
});

describe('comparing the old cluster with the restored one', () => {
  it('finds nothing when they match', () => {
    expect(inventoryDifferences(inv(), inv())).toEqual([]);
  });

  it('names every table, database and role that differs', () => {
    const restored = inv({
      roles: { kong: '[true]' },
      tables: { 'appdb/public.t': { rows: 2, checksum: 'abd' }, 'kong/public.x': { rows: 0, checksum: '' } },
    });
    expect(inventoryDifferences(inv(), restored)).toEqual([
      'role app: missing from the new cluster',
      'table appdb/public.t: 3 rows (checksum abc) before, 2 rows (checksum abd) after',
      'table kong/public.x: only in the new cluster',
    ]);
  });
});

describe("a restore's errors", () => {
  it("accept only the connected role's CREATE ROLE, which pg_dumpall always emits", () => {
    const stderr = [
      'psql:<stdin>:14: ERROR:  role "kong" already exists',
      'psql:<stdin>:90: ERROR:  relation "t" already exists',
    ].join('\n');
    expect(unexpectedRestoreErrors(stderr, 'kong')).toEqual(['relation "t" already exists']);
    expect(unexpectedRestoreErrors('psql:<stdin>:14: ERROR:  role "kong" already exists\n', 'kong')).toEqual(
      [],
    );
  });
});
