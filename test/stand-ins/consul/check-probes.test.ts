// HTTP checks as Consul runs them, against a real local server: one new connection per check
// (agent/checks/check.go CheckHTTP.Start: `trans.DisableKeepAlives = true`).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckDef } from './src/catalog.ts';
import { probeHttp } from './src/check-probes.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('an HTTP check', () => {
  it('opens a new connection for every run, so a process that stopped accepting is not checked again', async () => {
    let connections = 0;
    // The server would keep a connection open: only the client's choice closes it.
    server = createServer({ keepAliveTimeout: 60_000 }, (_req, res) => res.end('ok'));
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const def = { http: `http://127.0.0.1:${port}/healthz`, timeoutMs: 2_000 } as CheckDef;
    for (let i = 0; i < 3; i++) expect((await probeHttp(def)).status).toBe('passing');
    expect(connections).toBe(3);
  });
});
