import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createHttpServer, type Processed } from '../src/http-server.ts';
import type { VerificationMessage } from '../src/verification.ts';

const config = parseConfig({ SERVICE_NAME: 'orders', PORT: '8080', ROUTE_PATH: '/orders' }, 'test');
const published: VerificationMessage[] = [];
const processed: Processed[] = [];
let healthy = false;
let ready = false;
let base = '';
const server = createHttpServer(config, {
  healthy: () => healthy,
  ready: () => ready,
  publish: async (message) => {
    published.push(message);
  },
  processed,
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the HTTP API', () => {
  it('reports health (for Consul) and readiness (for mkdev up) apart: 503 while starting, then 200', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    healthy = true;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', instance: 'orders-test' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
      status: 'starting',
      instance: 'orders-test',
    });
    ready = true;
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ok', instance: 'orders-test' });
  });

  it('answers the sample endpoint on / and on the route path', async () => {
    for (const path of ['/', '/orders']) {
      expect(await (await fetch(`${base}${path}`)).json()).toMatchObject({
        service: 'orders',
        instance: 'orders-test',
      });
    }
  });

  it('queues a verification and lists the processed ones, with or without the prefix', async () => {
    const res = await fetch(`${base}/orders/verifications`, {
      method: 'POST',
      body: JSON.stringify({ email: 'ana@example.com', name: 'Ana' }),
    });
    expect(res.status).toBe(202);
    const { token } = (await res.json()) as { token: string };
    expect(published).toEqual([
      { email: 'ana@example.com', template: 'userVerification', data: { name: 'Ana', token } },
    ]);
    processed.push({ ...(published[0] as VerificationMessage), processedAt: 'now' });
    for (const path of ['/verifications', '/orders/verifications']) {
      expect(await (await fetch(`${base}${path}`)).json()).toEqual({ processed });
    }
  });

  it('refuses bad bodies and unknown routes', async () => {
    expect((await fetch(`${base}/verifications`, { method: 'POST', body: 'nope' })).status).toBe(400);
    expect((await fetch(`${base}/verifications`, { method: 'POST', body: '{"email":"a@b.c"}' })).status).toBe(
      400,
    );
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });
});
