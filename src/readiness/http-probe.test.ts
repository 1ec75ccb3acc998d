// The http probe against a local server: the status it expects, body_includes and basic_auth as the
// stack's `ready: { http: ... }` promises them.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpProbe } from './http-probe.ts';
import type { ProbeTarget } from './probe.ts';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

/** A local server, published to the probe as the container's port 8080. */
async function serve(
  answer: (req: IncomingMessage) => { status: number; body: string },
): Promise<ProbeTarget> {
  server = createServer((req, res) => {
    const { status, body } = answer(req);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    hostPort: (containerPort) => (containerPort === 8080 ? port : undefined),
    exec: () => Promise.reject(new Error('no exec here')),
    logs: () => Promise.resolve(''),
  };
}

const check = (probe: ReturnType<typeof httpProbe>, target: ProbeTarget) =>
  probe.check(target, AbortSignal.timeout(5000));

describe('the http probe', () => {
  it('is ready on any 2xx by default, and not on a 503, with the answer as the reason', async () => {
    let status = 503;
    const target = await serve(() => ({ status, body: 'warming up' }));
    const probe = httpProbe({ kind: 'http', port: 8080, path: '/healthz', scheme: 'http' });
    expect(await check(probe, target)).toEqual({ ready: false, reason: 'HTTP 503 warming up' });
    status = 204;
    expect(await check(probe, target)).toEqual({ ready: true });
  });

  it('with status: only that status counts', async () => {
    const target = await serve(() => ({ status: 200, body: 'ok' }));
    expect(
      await check(httpProbe({ kind: 'http', port: 8080, path: '/', scheme: 'http', status: 200 }), target),
    ).toEqual({
      ready: true,
    });
    expect(
      await check(httpProbe({ kind: 'http', port: 8080, path: '/', scheme: 'http', status: 401 }), target),
    ).toMatchObject({
      ready: false,
    });
  });

  it('with body_includes: a 2xx whose body lacks the text is not ready yet', async () => {
    let body = '{"status":"starting"}';
    const target = await serve(() => ({ status: 200, body }));
    const probe = httpProbe({
      kind: 'http',
      port: 8080,
      path: '/health',
      scheme: 'http',
      bodyIncludes: '"status":"up"',
    });
    expect(await check(probe, target)).toEqual({ ready: false, reason: `body lacks '"status":"up"'` });
    body = '{"db":"ok","status":"up"}';
    expect(await check(probe, target)).toEqual({ ready: true });
  });

  it('with basic_auth: sends the credentials, so a server that wants them answers', async () => {
    const target = await serve((req) =>
      req.headers.authorization === `Basic ${Buffer.from('mkdev:s3cret').toString('base64')}`
        ? { status: 200, body: 'ok' }
        : { status: 401, body: 'who are you' },
    );
    const path = '/api/health/checks/alarms';
    expect(await check(httpProbe({ kind: 'http', port: 8080, path, scheme: 'http' }), target)).toMatchObject({
      ready: false,
      reason: 'HTTP 401 who are you',
    });
    const withAuth = httpProbe({
      kind: 'http',
      port: 8080,
      path,
      scheme: 'http',
      basicAuth: { user: 'mkdev', password: 's3cret' },
    });
    expect(await check(withAuth, target)).toEqual({ ready: true });
  });

  it('is not ready, naming the error, while nothing listens', async () => {
    const target = await serve(() => ({ status: 200, body: 'ok' }));
    server?.close();
    await new Promise((r) => server?.once('close', r));
    const result = await check(httpProbe({ kind: 'http', port: 8080, path: '/', scheme: 'http' }), target);
    expect(result).toEqual({ ready: false, reason: 'ECONNREFUSED' });
  });
});
