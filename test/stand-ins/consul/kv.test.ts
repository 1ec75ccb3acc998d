import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startInProcess, useInProcessAgent } from './helpers.ts';

const t = useInProcessAgent();

/** What Kong's entrypoint in stacks/microkubes.yaml sends over bash's /dev/tcp: one HTTP/1.0 request. */
function rawHttp10(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(`GET ${path} HTTP/1.0\r\nHost: consul\r\n\r\n`));
    let out = '';
    sock.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // HTTP/1.0 without keep-alive: the server closes the connection after the answer.
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}

describe('KV through the consul npm client', () => {
  it('puts, gets, lists and deletes with CAS', async () => {
    expect(await t.consul.kv.set('app/config/a', 'one')).toBe(true);
    const got = await t.consul.kv.get('app/config/a');
    expect(got).toMatchObject({ Key: 'app/config/a', Value: 'one', Flags: 0, LockIndex: 0 });
    expect(got?.CreateIndex).toBe(got?.ModifyIndex);

    // cas=0 only creates; a stale index loses; the current index wins. (consul@2 resolves Consul's
    // `false` body to undefined: papi drops falsy results: undefined is the refusal, and true or a body would fail.)
    expect(await t.consul.kv.set({ key: 'app/config/a', value: 'x', cas: 0 })).toBeUndefined();
    expect(
      await t.consul.kv.set({ key: 'app/config/a', value: 'x', cas: (got?.ModifyIndex ?? 0) + 100 }),
    ).toBeUndefined();
    expect(await t.consul.kv.set({ key: 'app/config/a', value: 'two', cas: got?.ModifyIndex })).toBe(true);
    const after = await t.consul.kv.get('app/config/a');
    expect(after?.Value).toBe('two');
    expect(after?.CreateIndex).toBe(got?.CreateIndex);
    expect(after?.ModifyIndex).toBeGreaterThan(got?.ModifyIndex ?? 0);

    await t.consul.kv.set('app/config/b', 'b');
    await t.consul.kv.set('app/other', 'o');
    expect(await t.consul.kv.keys('app/')).toEqual(['app/config/a', 'app/config/b', 'app/other']);
    expect(await t.consul.kv.keys({ key: 'app/', separator: '/' })).toEqual(['app/config/', 'app/other']);

    expect(await t.consul.kv.del({ key: 'app/config/a', cas: 1 })).toBeUndefined();
    expect(await t.consul.kv.get('app/config/a')).toBeDefined();
    expect(await t.consul.kv.del({ key: 'app/config/a', cas: after?.ModifyIndex })).toBe(true);
    expect(await t.consul.kv.get('app/config/a')).toBeUndefined();
    await t.consul.kv.del({ key: 'app/', recurse: true });
    expect(await t.consul.kv.get({ key: 'app/', recurse: true })).toBeUndefined();
  });

  it('a blocking query returns when the key changes, not before', async () => {
    await t.consul.kv.set('blocking/key', 'v1');
    const first = await t.consul.kv.get('blocking/key');
    const started = Date.now();
    let resolvedAt = 0;
    const pending = t.consul.kv
      .get({ key: 'blocking/key', index: String(first?.ModifyIndex), wait: '10s' } as never)
      .then((r) => {
        resolvedAt = Date.now();
        return r;
      });
    // Other keys changing must not release it.
    await t.consul.kv.set('blocking/other', 'x');
    await new Promise((r) => setTimeout(r, 300));
    expect(resolvedAt).toBe(0);
    await t.consul.kv.set('blocking/key', 'v2');
    const changed = await pending;
    expect(changed?.Value).toBe('v2');
    expect(resolvedAt - started).toBeGreaterThanOrEqual(300);
  });

  it('a blocking query times out after wait with the same index', async () => {
    await t.consul.kv.set('blocking/idle', 'v');
    const res = await fetch(`${t.base}/kv/blocking/idle`);
    const index = res.headers.get('x-consul-index');
    const t0 = Date.now();
    const again = await fetch(`${t.base}/kv/blocking/idle?index=${index}&wait=400ms`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(again.headers.get('x-consul-index')).toBe(index);
  });
});

describe('KV over raw HTTP', () => {
  it('answers a missing key with an empty 404 and an index header', async () => {
    const res = await fetch(`${t.base}/kv/does/not/exist`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(0);
  });

  it("answers Kong's raw HTTP/1.0 probe of the migrations flag: 404, then 200 once it is set", async () => {
    // The probe reads the second word of the status line (bash `read -r _ code _`).
    const statusOf = async () => (await rawHttp10(t.agent.httpPort, '/v1/kv/probe-flag')).split(' ')[1];
    expect(await statusOf()).toBe('404');
    expect(await t.consul.kv.set('probe-flag', '{"migrations":"done"}')).toBe(true);
    expect(await statusOf()).toBe('200');
  });

  it('exports and clears the whole store as snapshots do: ?recurse on the root', async () => {
    const fresh = await startInProcess();
    try {
      const url = `http://127.0.0.1:${fresh.httpPort}/v1/kv/`;
      // An empty store answers 404 (no entries), not [].
      expect((await fetch(`${url}?recurse`)).status).toBe(404);
      await fetch(`${url}a/b`, { method: 'PUT', body: 'x' });
      await fetch(`${url}c?flags=7`, { method: 'PUT', body: '' });
      const all = (await (await fetch(`${url}?recurse`)).json()) as Array<Record<string, unknown>>;
      expect(all.map(({ Key, Value, Flags }) => ({ Key, Value, Flags }))).toEqual([
        { Key: 'a/b', Value: Buffer.from('x').toString('base64'), Flags: 0 },
        { Key: 'c', Value: null, Flags: 7 },
      ]);
      const cleared = await fetch(`${url}?recurse`, { method: 'DELETE' });
      expect(await cleared.json()).toBe(true);
      expect((await fetch(`${url}?recurse`)).status).toBe(404);
    } finally {
      await fresh.stop();
    }
  });

  it('supports ?raw, ?flags, base64 values, null for empty values', async () => {
    await fetch(`${t.base}/kv/raw/k?flags=42`, { method: 'PUT', body: 'hello' });
    expect(await (await fetch(`${t.base}/kv/raw/k?raw`)).text()).toBe('hello');
    const [entry] = (await (await fetch(`${t.base}/kv/raw/k`)).json()) as Array<Record<string, unknown>>;
    expect(entry).toMatchObject({ Key: 'raw/k', Flags: 42, Value: Buffer.from('hello').toString('base64') });
    await fetch(`${t.base}/kv/raw/empty`, { method: 'PUT' });
    const [empty] = (await (await fetch(`${t.base}/kv/raw/empty`)).json()) as Array<Record<string, unknown>>;
    expect(empty?.Value).toBeNull();
  });

  it('keys: a missing prefix is 404 but the root is []', async () => {
    expect((await fetch(`${t.base}/kv/nothing-here/?keys`)).status).toBe(404);
    const fresh = await startInProcess();
    try {
      const root = await fetch(`http://127.0.0.1:${fresh.httpPort}/v1/kv/?keys`);
      expect(root.status).toBe(200);
      expect(await root.json()).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });

  it('refuses what Consul refuses', async () => {
    const big = await fetch(`${t.base}/kv/big`, { method: 'PUT', body: Buffer.alloc(512 * 1024 + 1) });
    expect(big.status).toBe(413);
    const noKey = await fetch(`${t.base}/kv/`, { method: 'PUT', body: 'x' });
    expect([noKey.status, await noKey.text()]).toEqual([400, 'Missing key name']);
    const badFlags = await fetch(`${t.base}/kv/k?flags=abc`, { method: 'PUT', body: 'x' });
    expect([badFlags.status, await badFlags.text()]).toEqual([
      500,
      'strconv.ParseUint: parsing "abc": invalid syntax',
    ]);
    const both = await fetch(`${t.base}/kv/k?cas=0&acquire=s`, { method: 'PUT', body: 'x' });
    expect([both.status, await both.text()]).toEqual([400, 'Conflicting flags: acquire=s&cas=0\n']);
    const post = await fetch(`${t.base}/kv/k`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    const acquire = await fetch(`${t.base}/kv/k?acquire=nope`, { method: 'PUT', body: 'x' });
    expect(acquire.status).toBe(500);
    const badIndex = await fetch(`${t.base}/kv/k?index=abc`);
    expect([badIndex.status, await badIndex.text()]).toEqual([400, 'Invalid index']);
  });

  it('has no leader for a moment after start, and refuses KV until then', async () => {
    const slow = await startInProcess({ electionDelayMs: 60_000 });
    try {
      const url = `http://127.0.0.1:${slow.httpPort}/v1`;
      expect(await (await fetch(`${url}/status/leader`)).json()).toBe('');
      const kv = await fetch(`${url}/kv/kong-migrations`);
      expect([kv.status, await kv.text()]).toEqual([500, 'No cluster leader']);
      expect((await fetch(`${url}/kv/kong-migrations?stale`)).status).toBe(404);
    } finally {
      await slow.stop();
    }
  });
});
