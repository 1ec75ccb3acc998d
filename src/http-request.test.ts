import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from './http-request.ts';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('httpRequest', () => {
  it('answers with the status and body, sending method, headers and body', async () => {
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => res.writeHead(201).end(`${req.method} ${req.headers['x-probe']} ${body}`));
    });
    const answer = await httpRequest(`${url}/x`, {
      method: 'POST',
      headers: { 'x-probe': 'yes' },
      body: 'hi',
    });
    expect(answer).toEqual({ status: 201, body: 'POST yes hi' });
  });

  it('does not follow a redirect: the 302 is the answer', async () => {
    const url = await serve((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    expect((await httpRequest(url)).status).toBe(302);
  });

  it('gives up after timeoutMs when headers never come', async () => {
    const url = await serve(() => {});
    await expect(httpRequest(url, { timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('stops when the caller aborts', async () => {
    const url = await serve(() => {});
    const controller = new AbortController();
    const pending = httpRequest(url, { signal: controller.signal });
    controller.abort(new Error('interrupted'));
    await expect(pending).rejects.toThrow('interrupted');
  });

  it('fails with the connection error when nothing listens', async () => {
    const url = await serve(() => {});
    server?.close();
    await expect(httpRequest(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
