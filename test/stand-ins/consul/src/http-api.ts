// The HTTP API server on :8500: routing, Consul's common headers, error bodies, 404 for unknown paths.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleAgent } from './agent-http.ts';
import { handleCatalogHealth } from './health-http.ts';
import type { AgentState, HttpContext } from './http-context.ts';
import { HttpError, sendJson, sendText } from './http-util.ts';
import { handleKv } from './kv-http.ts';
import { handleSession } from './session-http.ts';

const UI_PAGE =
  '<!doctype html><title>Consul by HashiCorp</title><h1>Consul UI (stand-in placeholder)</h1>\n';

async function route(ctx: HttpContext): Promise<void> {
  const { path, state, res } = ctx;
  if (path === '/v1/status/leader') {
    sendJson(
      res,
      200,
      state.hasLeader() ? `${state.catalog.node.address}:${state.opts.serverPort}` : '',
      ctx.pretty,
    );
    return;
  }
  if (path === '/v1/status/peers') {
    sendJson(res, 200, [`${state.catalog.node.address}:${state.opts.serverPort}`], ctx.pretty);
    return;
  }
  if (path === '/v1/kv' || path.startsWith('/v1/kv/')) {
    await handleKv(ctx, decodeURIComponent(path.slice('/v1/kv/'.length)));
    return;
  }
  if (path.startsWith('/v1/agent/') && (await handleAgent(ctx, path))) return;
  if (handleCatalogHealth(ctx, path)) return;
  if (path.startsWith('/v1/session/') && (await handleSession(ctx, path))) return;
  if (path === '/') {
    if (!state.opts.ui) {
      sendText(
        res,
        200,
        'Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.',
      );
      return;
    }
    res.writeHead(301, { Location: '/ui/' }).end();
    return;
  }
  if (state.opts.ui && (path === '/ui' || path.startsWith('/ui/'))) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(UI_PAGE);
    return;
  }
  res.writeHead(404, { 'Content-Length': 0 }).end();
}

export function createHttpApi(state: AgentState): Server {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://consul');
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('X-Consul-Default-Acl-Policy', 'allow');
    const ctx: HttpContext = {
      req,
      res,
      q: url.searchParams,
      path: url.pathname,
      pretty: url.searchParams.has('pretty'),
      state,
    };
    route(ctx).catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendText(res, err.status, err.message);
        return;
      }
      if (err instanceof URIError) {
        // Go's net/http rejects a bad %-escape before Consul sees the request.
        sendText(res, 400, '400 Bad Request');
        return;
      }
      state.log.error('agent.http', 'Request error', {
        method: req.method,
        url: req.url,
        error: String(err),
      });
      sendText(res, 500, String((err as Error).message ?? err));
    });
  });
  server.keepAliveTimeout = 30_000;
  return server;
}
