import { describe, expect, it } from 'vitest';
import { useInProcessAgent } from './helpers.ts';

const t = useInProcessAgent();

describe('sessions and KV locks', () => {
  it('acquires, refuses a second holder, releases', async () => {
    const a = (await t.consul.session.create({ name: 'a', ttl: '30s' })) as { ID: string };
    const b = (await t.consul.session.create({ name: 'b', lockdelay: '0s' })) as { ID: string };
    expect(await t.consul.kv.set({ key: 'locks/leader', value: 'a', acquire: a.ID })).toBe(true);
    // consul@2 turns Consul's `false` into undefined (see kv.test.ts).
    expect(await t.consul.kv.set({ key: 'locks/leader', value: 'b', acquire: b.ID })).toBeUndefined();
    const held = await t.consul.kv.get('locks/leader');
    expect(held).toMatchObject({ Value: 'a', LockIndex: 1, Session: a.ID });
    // Re-acquiring by the holder updates the value without a new LockIndex.
    expect(await t.consul.kv.set({ key: 'locks/leader', value: 'a2', acquire: a.ID })).toBe(true);
    expect(await t.consul.kv.get('locks/leader')).toMatchObject({ Value: 'a2', LockIndex: 1 });
    expect(await t.consul.kv.set({ key: 'locks/leader', value: 'x', release: b.ID })).toBeUndefined();
    expect(await t.consul.kv.set({ key: 'locks/leader', value: 'free', release: a.ID })).toBe(true);
    const released = (await t.consul.kv.get('locks/leader')) as unknown as Record<string, unknown>;
    expect(released.Session).toBeUndefined();
    expect(await t.consul.kv.set({ key: 'locks/leader', value: 'b', acquire: b.ID })).toBe(true);
    expect(await t.consul.kv.get('locks/leader')).toMatchObject({ LockIndex: 2, Session: b.ID });
  });

  it('destroying a session releases its locks; lock-delay holds others off', async () => {
    const a = (await t.consul.session.create({ name: 'holder' })) as { ID: string };
    const b = (await t.consul.session.create({ name: 'waiter' })) as { ID: string };
    await t.consul.kv.set({ key: 'locks/delayed', value: 'a', acquire: a.ID });
    await t.consul.session.destroy(a.ID);
    const after = (await t.consul.kv.get('locks/delayed')) as unknown as Record<string, unknown>;
    expect(after.Session).toBeUndefined();
    // Default lock-delay is 15 s.
    expect(await t.consul.kv.set({ key: 'locks/delayed', value: 'b', acquire: b.ID })).toBeUndefined();
  });

  it('behavior=delete removes the keys with the session', async () => {
    const s = (await t.consul.session.create({ behavior: 'delete', lockdelay: '0s' })) as { ID: string };
    await t.consul.kv.set({ key: 'locks/ephemeral', value: 'x', acquire: s.ID });
    await t.consul.session.destroy(s.ID);
    expect(await t.consul.kv.get('locks/ephemeral')).toBeUndefined();
  });

  it('lists sessions and refuses unknown ones like Consul', async () => {
    const s = (await t.consul.session.create({ name: 'listed' })) as { ID: string };
    const info = (await t.consul.session.info(s.ID)) as unknown as Record<string, unknown>;
    expect(info).toMatchObject({ ID: s.ID, Name: 'listed', Behavior: 'release', LockDelay: 15e9 });
    expect(((await t.consul.session.list()) as Array<{ ID: string }>).map((x) => x.ID)).toContain(s.ID);
    const acquire = await fetch(`${t.base}/kv/locks/x?acquire=no-such-session`, { method: 'PUT', body: 'v' });
    expect([acquire.status, await acquire.text()]).toEqual([500, 'invalid session "no-such-session"']);
    const renew = await fetch(`${t.base}/session/renew/no-such-session`, { method: 'PUT' });
    expect(renew.status).toBe(404);
    const badTtl = await fetch(`${t.base}/session/create`, {
      method: 'PUT',
      body: JSON.stringify({ TTL: '1s' }),
    });
    expect(badTtl.status).toBe(500);
  });
});
