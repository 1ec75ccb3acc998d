// ensureGlobalPlugin against a recording Admin API: which writes it makes. (Kong's own answers are the
// stand-in's business, tested in test/stand-ins/kong; here only the client's choices are.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureGlobalPlugin } from './kong-admin.ts';

interface Recorded {
  method: string;
  url: string;
  body: string;
}

let server: Server | undefined;
afterEach(() => server?.close());

/** An Admin API holding `plugins`, recording every request. */
async function adminApi(plugins: unknown[]): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      const status = req.method === 'POST' ? 201 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.method === 'GET' ? { data: plugins, next: null } : { id: 'p1' }));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const prometheus = (config: Record<string, unknown>) => ({
  id: 'p1',
  name: 'prometheus',
  service: null,
  route: null,
  consumer: null,
  config,
});

describe('ensureGlobalPlugin', () => {
  it('enables a plugin that is not there', async () => {
    const api = await adminApi([]);
    expect(await ensureGlobalPlugin(api.url, 'prometheus', { per_consumer: false })).toBe('created');
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(JSON.parse(api.requests[1]?.body ?? '')).toEqual({
      name: 'prometheus',
      config: { per_consumer: false },
    });
  });

  it('writes nothing when the plugin already has the config asked for (Kong added defaults)', async () => {
    const api = await adminApi([
      prometheus({ per_consumer: false, status_code_metrics: true, bandwidth_metrics: false }),
    ]);
    expect(
      await ensureGlobalPlugin(api.url, 'prometheus', { per_consumer: false, status_code_metrics: true }),
    ).toBe('kept');
    expect(api.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('patches a plugin whose config differs', async () => {
    const api = await adminApi([prometheus({ per_consumer: true, status_code_metrics: true })]);
    expect(await ensureGlobalPlugin(api.url, 'prometheus', { per_consumer: false })).toBe('updated');
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /plugins?size=1000',
      'PATCH /plugins/p1',
    ]);
    expect(JSON.parse(api.requests[1]?.body ?? '')).toEqual({ config: { per_consumer: false } });
  });

  it('does not take a plugin scoped to a service for the global one', async () => {
    const api = await adminApi([{ ...prometheus({}), service: { id: 's1' } }]);
    expect(await ensureGlobalPlugin(api.url, 'prometheus')).toBe('created');
  });
});
