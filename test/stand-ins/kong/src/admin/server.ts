// The Admin API HTTP server: path dispatch, JSON replies, Kong's headers and error bodies.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { log } from '../log.ts';
import type { Runtime } from '../runtime.ts';
import { KONG_VERSION } from '../version.ts';
import { isEntityName, nested, type Reply, type Req, topLevel } from './entity-endpoints.ts';
import { ApiError, methodNotAllowed, notFound } from './errors.ts';
import { pluginsEnabled, root, status, upstreamHealth } from './info.ts';
import { ENTITIES, type EntityName } from './schemas.ts';

function send(res: ServerResponse, reply: Reply, started: number): void {
  const headers: Record<string, string> = {
    Server: `kong/${KONG_VERSION}`,
    'Access-Control-Allow-Origin': '*',
    'X-Kong-Admin-Latency': String(Date.now() - started),
  };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  if (typeof reply.body === 'string') {
    res.writeHead(reply.status, { ...headers, 'Content-Type': 'text/plain; charset=UTF-8' });
    res.end(reply.body);
    return;
  }
  res.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(reply.body));
}

async function dispatch(rt: Runtime, req: Req): Promise<Reply> {
  const parts = req.url.pathname.replace(/\/+$/, '').split('/').slice(1);
  const [a, b, c, d, e] = parts;
  const only = (method: string) => {
    if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) throw methodNotAllowed();
  };
  if (parts.length === 0 || (parts.length === 1 && a === '')) {
    only('GET');
    return { status: 200, body: await root(rt) };
  }
  if (a === 'status' && parts.length === 1) {
    only('GET');
    return { status: 200, body: await status(rt) };
  }
  if (a === 'metrics' && parts.length === 1) {
    only('GET');
    return { status: 200, body: await rt.renderMetrics() };
  }
  if (a === 'plugins' && b === 'enabled' && parts.length === 2) {
    only('GET');
    return { status: 200, body: pluginsEnabled() };
  }
  if (a === 'upstreams' && b && c === 'health' && parts.length === 3) {
    only('GET');
    return { status: 200, body: await upstreamHealth(rt, b) };
  }
  if (!a || !isEntityName(a) || parts.length > 4 || e !== undefined) throw notFound();
  if (parts.length <= 2) return topLevel(rt, a, b, req);
  if (!b || !c) throw notFound();
  if (c in ENTITIES || (ENTITIES[a as EntityName].foreign[c] ?? null) !== null)
    return nested(rt, a, b, c, d, req);
  throw notFound();
}

export function createAdminServer(rt: Runtime): Server {
  return createServer((raw: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const url = new URL(raw.url ?? '/', 'http://admin.local');
    const method = (raw.method ?? 'GET').toUpperCase();
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT',
        Server: `kong/${KONG_VERSION}`,
      });
      res.end();
      return;
    }
    dispatch(rt, { method, url, raw })
      .catch((err: unknown) => {
        if (err instanceof ApiError) return { status: err.status, body: err.body };
        log('error', `[kong] ${(err as Error).stack ?? String(err)}`);
        return { status: 500, body: { message: 'An unexpected error occurred' } };
      })
      .then((reply) => {
        raw.resume();
        send(res, reply, started);
      });
  });
}
