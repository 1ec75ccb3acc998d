// One truth about a service `mkdev run` holds on the host: every path that brings the stack up (up,
// up --watch, watch, the dashboard's rebuild, all through bring-up) leaves its stopped containers
// alone and says why; what waits for it counts it as ready; the dashboard refuses to restart or
// rebuild it; status shows it as `host (pid N)`. Its own swap back (ownHostRun) does bring them back.
import { describe, expect, it } from 'vitest';
import { fakeProject } from '../../test/support/fake-project.ts';
import { currentOwner } from '../engine/owner.ts';
import { writeRecord } from './run-record.ts';
import { ActionRefused, runServiceAction } from './service-actions.ts';
import { stackStatus } from './service-status.ts';

const DB = 'example/db:1';
const API = 'example/api:1';
const WEB = 'example/web:1';

async function shopWithApiOnHost() {
  const p = fakeProject('shop', [DB, API, WEB]);
  const stack = p.stack({
    db: { image: DB },
    api: { image: API, depends_on: { db: { condition: 'started' } } },
    web: { image: WEB, depends_on: { api: { condition: 'ready' } } },
  });
  await p.up(stack);
  // What `mkdev run api` does: its record (this live process as its owner), then its containers stopped.
  writeRecord(stack.projectDir, {
    project: 'shop',
    service: 'api',
    owner: currentOwner(),
    address: '172.17.0.1',
    port: 40000,
  });
  const api = [...p.fake.containers.values()].find((c) => c.service === 'api');
  if (!api) throw new Error('no api container');
  await p.engine.stop({ id: api.id, service: 'api' });
  return { ...p, stack, api };
}

describe('a service held on the host by mkdev run', () => {
  it('up leaves its containers stopped, says why, and counts it as ready for what waits for it', async () => {
    const p = await shopWithApiOnHost();
    const newCalls = p.since();
    const { plan } = await p.up(p.stack, { services: ['web'] });
    expect(
      newCalls().filter((l) => / shop-api-/.test(l) && /^(create|start|stop|remove|restart)/.test(l)),
    ).toEqual([]);
    expect(p.api.state).toBe('exited');
    const reach = plan.operations.find((o) => o.type === 'reach' && o.service === 'api');
    expect(reach?.cause).toBe(
      `runs on the host (mkdev run, pid ${process.pid}): its containers stay stopped until it exits`,
    );
    expect(plan.operations.some((o) => o.type === 'ensure-image' && o.resource === API)).toBe(false);
    expect(
      p.events.some((e) => e.service === 'api' && /on the host \(mkdev run, pid \d+\)/.test(e.message ?? '')),
    ).toBe(true);
  });

  it("the run's own swap back brings its containers back", async () => {
    const p = await shopWithApiOnHost();
    await p.up(p.stack, { services: ['api'], ownHostRun: 'api' });
    expect(p.api.state).toBe('running');
  });

  it('the dashboard refuses to restart or rebuild it; status shows it as host (pid N)', async () => {
    const p = await shopWithApiOnHost();
    const target = {
      engine: p.engine,
      stack: p.stack,
      host: '127.0.0.1',
      signal: AbortSignal.timeout(10_000),
    };
    await expect(runServiceAction(target, 'api', 'restart')).rejects.toEqual(
      new ActionRefused(
        `api runs on the host (mkdev run, pid ${process.pid}): its containers stay stopped until that command exits`,
      ),
    );
    expect(p.api.state).toBe('exited');
    const status = await stackStatus(p.engine, p.stack, '127.0.0.1');
    expect(status.services.find((s) => s.service === 'api')?.state).toBe(`host (pid ${process.pid})`);
    expect(status.services.find((s) => s.service === 'db')?.state).toBe('running');
  });
});
