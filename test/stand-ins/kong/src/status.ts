// The status listener: /status, /status/ready (real readiness) and the prometheus plugin's /metrics.
import { createServer, type Server } from 'node:http';
import { status } from './admin/info.ts';
import { canConnect } from './db.ts';
import type { Runtime } from './runtime.ts';
import { KONG_VERSION } from './version.ts';

async function ready(rt: Runtime): Promise<[number, string]> {
  if (rt.store) {
    if (!(await canConnect(rt.store.db))) return [503, 'failed to connect to database'];
    if (!rt.routerBuilt) return [503, 'router builds not yet complete'];
    return [200, 'ready'];
  }
  return [503, 'no configuration available'];
}

export function createStatusServer(rt: Runtime): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? '';
    const json = (code: number, body: unknown) => {
      res.writeHead(code, {
        'Content-Type': 'application/json; charset=utf-8',
        Server: `kong/${KONG_VERSION}`,
      });
      res.end(JSON.stringify(body));
    };
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { message: 'Method not allowed' });
    if (path === '/status/ready') {
      ready(rt).then(
        ([code, message]) => json(code, { message }),
        () => json(503, { message: 'failed to connect to database' }),
      );
      return;
    }
    if (path === '/status') {
      status(rt).then(
        (b) => json(200, b),
        () => json(500, { message: 'An unexpected error occurred' }),
      );
      return;
    }
    if (path === '/metrics') {
      rt.renderMetrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', Server: `kong/${KONG_VERSION}` });
          res.end(text);
        },
        () => json(500, { message: 'An unexpected error occurred' }),
      );
      return;
    }
    json(404, { message: 'Not found' });
  });
}
