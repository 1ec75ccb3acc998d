// A Kong upgrade in Docker: kong-standin:3.9-next (one more core migration) on a database bootstrapped
// by kong-standin:3.9 refuses to start until `kong migrations up` (and, for the full upgrade, finish).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireImage } from '../../../images/lib/test-docker.ts';
import { allLogs } from '../../../src/engine/container-ops.ts';
import { ipOf, KONG_IMAGE, KONG_NEXT_IMAGE, PG_IMAGE, Resources } from './helpers/docker.ts';
import { waitFor } from './helpers/kong.ts';

await requireImage(KONG_IMAGE, KONG_NEXT_IMAGE, PG_IMAGE);
const res = new Resources();
let network = '';
const dbEnv = () => [
  `KONG_PG_HOST=${res.name('pg')}`,
  'KONG_PG_PASSWORD=kongpass',
  'KONG_STATUS_LISTEN=0.0.0.0:8100',
];

describe('kong-standin:3.9-next on a 3.9 database', () => {
  beforeAll(async () => {
    network = await res.network();
    await (await res.kongDatabase(network)).start();
    await res.bootstrapKong(dbEnv(), network);
  });
  afterAll(() => res.cleanup());

  it("docker-start exits 1 with init_by_lua's error until migrations up and finish ran; then it starts", async () => {
    const refused = await res.container('next-refused', { Image: KONG_NEXT_IMAGE, Env: dbEnv(), network });
    await refused.start();
    expect((await refused.wait()).StatusCode).toBe(1);
    expect(await allLogs(refused)).toContain(
      "nginx: [error] init_by_lua error: /usr/local/share/lua/5.1/kong/cmd/utils/migrations.lua:20: New migrations available; run 'kong migrations up' to proceed",
    );
    const list = await res.run('list', {
      Image: KONG_NEXT_IMAGE,
      Cmd: ['kong', 'migrations', 'list'],
      Env: dbEnv(),
      network,
    });
    expect(list.code).toBe(5);
    const up = await res.run('up', {
      Image: KONG_NEXT_IMAGE,
      Cmd: ['kong', 'migrations', 'up'],
      Env: dbEnv(),
      network,
    });
    expect(up.code, up.logs).toBe(0);
    expect(up.logs).toContain('core migrated up to: 025_390_to_3100 (pending)');
    const finish = await res.run('finish', {
      Image: KONG_NEXT_IMAGE,
      Cmd: ['kong', 'migrations', 'finish'],
      Env: dbEnv(),
      network,
    });
    expect(finish.code, finish.logs).toBe(0);
    const kong = await res.container('next', { Image: KONG_NEXT_IMAGE, Env: dbEnv(), network });
    await kong.start();
    const ip = await ipOf(kong, network);
    await waitFor(
      'ready',
      async () => (await fetch(`http://${ip}:8100/status/ready`)).status === 200,
      60_000,
    );
  });
});
