// untilCatalog against the Consul stand-in in this process (its blocking queries are Consul 1.20's,
// test/stand-ins/consul/PARITY.md), and against a scripted server for Consul's failure answers.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startInProcess, waitFor } from '../../test/stand-ins/consul/helpers.ts';
import type { AgentHandle } from '../../test/stand-ins/consul/src/agent.ts';
import { type CatalogInstance, untilCatalog } from './consul-catalog-watch.ts';

let agent: AgentHandle | undefined;
let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await agent?.stop();
  agent = undefined;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

const put = async (consulUrl: string, path: string, body?: unknown) => {
  const res = await fetch(new URL(path, consulUrl), {
    method: 'PUT',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status).toBe(200);
  await res.body?.cancel();
};
const at = (address: string) => (listed: readonly CatalogInstance[]) =>
  !listed.some((s) => s.ServiceAddress === address);

/** An agent in this process with instances web-1 (10.0.0.1), web-2 (10.0.0.2), ... of `web`, all in the catalog. */
async function agentWithWeb(instances: number): Promise<string> {
  agent = await startInProcess();
  const consulUrl = `http://127.0.0.1:${agent.httpPort}`;
  for (let i = 1; i <= instances; i++)
    await put(consulUrl, '/v1/agent/service/register', {
      ID: `web-${i}`,
      Name: 'web',
      Address: `10.0.0.${i}`,
      Port: 80,
    });
  await waitFor(async () => {
    const res = await fetch(`${consulUrl}/v1/catalog/service/web`);
    return ((await res.json()) as unknown[]).length === instances;
  });
  return consulUrl;
}

/** Catalog requests made through fetch while `fn` runs. */
async function countingCatalogRequests<T>(fn: () => Promise<T>): Promise<{ value: T; requests: string[] }> {
  const requests: string[] = [];
  const real = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes('/v1/catalog/service/')) requests.push(url);
    return real(input, init);
  });
  return { value: await fn(), requests };
}

describe('untilCatalog', () => {
  it('waits on a blocking query and sees a deregistration as it reaches the catalog', async () => {
    const consulUrl = await agentWithWeb(2);
    const started = Date.now();
    const deregisterLater = new Promise((r) => setTimeout(r, 1000)).then(() =>
      put(consulUrl, '/v1/agent/service/deregister/web-1'),
    );
    const { value, requests } = await countingCatalogRequests(() =>
      untilCatalog(consulUrl, 'web', at('10.0.0.1'), 10_000),
    );
    await deregisterLater;
    expect(value).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    // The first request reads the index, the next one blocks on it until the change (a poll would
    // have asked ~20 times in that second).
    expect(requests.length, requests.join('\n')).toBeLessThanOrEqual(3);
    expect(requests[1]).toMatch(/[?&]index=\d+/);
    expect(requests[1]).toMatch(/[?&]wait=\d+s/);
  });

  it('resolves false when the time runs out, without spinning', async () => {
    const consulUrl = await agentWithWeb(1);
    const started = Date.now();
    const { value, requests } = await countingCatalogRequests(() =>
      untilCatalog(consulUrl, 'web', at('10.0.0.1'), 1500),
    );
    expect(value).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    // Ended by its deadline, not by a blocking wait of Consul's default 5 minutes.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(requests.length).toBeLessThanOrEqual(3);
  });

  it('asks again after an error, and starts over without an index when the index goes backwards', async () => {
    const seen: string[] = [];
    // 500 first, then index 10 listing 10.0.0.1, then index 5 (a restarted agent) still listing it,
    // then index 6 without it.
    const answers: [number, number, unknown][] = [
      [500, 0, 'rpc error'],
      [200, 10, [{ ServiceID: 'a', ServiceAddress: '10.0.0.1', ServicePort: 80 }]],
      [200, 5, [{ ServiceID: 'a', ServiceAddress: '10.0.0.1', ServicePort: 80 }]],
      [200, 6, []],
    ];
    server = createServer((req: IncomingMessage, res) => {
      seen.push(req.url ?? '');
      const [status, index, body] = answers.shift() ?? [200, 6, []];
      res.writeHead(status, { 'content-type': 'application/json', 'x-consul-index': String(index) });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const consulUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await untilCatalog(consulUrl, 'web', at('10.0.0.1'), 5000)).toBe(true);
    expect(seen).toEqual([
      '/v1/catalog/service/web',
      '/v1/catalog/service/web',
      expect.stringMatching(/^\/v1\/catalog\/service\/web\?index=10&wait=\d+s$/),
      '/v1/catalog/service/web',
    ]);
  });
});
