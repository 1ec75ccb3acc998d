// The proxy listener: route, balance, forward (streaming both ways), Kong's headers and error bodies.
import { randomBytes } from 'node:crypto';
import {
  type ClientRequest,
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BalancerError, type Peer } from './balancer.ts';
import { errorBody, errorPageMessage, responseType } from './error-body.ts';
import { accessLog, log } from './log.ts';
import { upstreamUri } from './route-matcher.ts';
import type { Runtime } from './runtime.ts';
import type { Entity } from './store.ts';
import { inRequestScope } from './tracing/kong-tracing.ts';
import { KONG_VERSION } from './version.ts';

const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

// Upstream connections, kept alive as Kong's pool keeps them. Not Node's global agents: they time out
// a socket after 5 s idle, connecting included, so a connect waiting for SYN retransmissions (an
// address that answers nothing, as while Docker restarts a container) gave up at 5 s, where nginx
// waits for the service's connect_timeout (60 s by default; kong/init.lua:1424 set_timeouts).
const UPSTREAM_AGENTS = {
  http: new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
  https: new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
};

interface Ctx {
  started: number;
  requestId: string;
  service: Entity | null;
  route: Entity | null;
  bytesIn: number;
}

/**
 * kong.response.error before the request is proxied (no route, DNS failure on the first try, no
 * peer): `Server` and `X-Kong-Response-Latency` (kong/runloop/handler.lua:1579-1594), the body in the
 * format the Accept header asks for (JSON by default).
 */
function kongError(
  rt: Runtime,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: Ctx,
  status: number,
  message: string,
  extra: Record<string, string> = {},
): void {
  const type = responseType(req.headers.accept);
  const body = errorBody(type, message, ctx.requestId);
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    Server: `kong/${KONG_VERSION}`,
    'X-Kong-Response-Latency': String(Date.now() - ctx.started),
    'X-Kong-Request-Id': ctx.requestId,
    ...extra,
  });
  res.end(body);
  finish(rt, req, ctx, status, 'kong', null, Buffer.byteLength(body));
}

/**
 * An error page once Kong set out to proxy (ctx.KONG_PROXIED, kong/init.lua:1240): nginx's 502/504
 * after the last try, or `ngx.exit(status)` of a retry whose balancer step failed (kong/init.lua
 * Kong.balancer). kong/error_handlers.lua answers with its own message per status; the headers are a
 * proxied response's: Via, X-Kong-Upstream-Latency, X-Kong-Proxy-Latency (handler.lua:1542-1577),
 * and `Server` since no upstream sent one. Without Accept or Content-Type the body is
 * `error_default_type` (text/plain).
 */
function errorPage(
  rt: Runtime,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: Ctx,
  status: number,
  proxyLatency: number,
  upstreamLatency: number,
): void {
  const asked = req.headers.accept ?? req.headers['content-type'] ?? rt.config.raw.error_default_type;
  const type = responseType(asked);
  const body = errorBody(type, errorPageMessage(status), ctx.requestId);
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'X-Kong-Upstream-Latency': String(upstreamLatency),
    'X-Kong-Proxy-Latency': String(proxyLatency),
    Via: `1.1 kong/${KONG_VERSION}`,
    Server: `kong/${KONG_VERSION}`,
    'X-Kong-Request-Id': ctx.requestId,
  });
  res.end(body);
  finish(rt, req, ctx, status, 'kong', upstreamLatency, Buffer.byteLength(body));
}

function finish(
  rt: Runtime,
  req: IncomingMessage,
  ctx: Ctx,
  status: number,
  source: 'service' | 'kong',
  upstreamMs: number | null,
  bytesOut: number,
): void {
  const total = Date.now() - ctx.started;
  // the prometheus plugin's log phase: only once the plugins iterator has the plugin
  if (rt.prometheus())
    rt.metrics.record({
      service: String(ctx.service?.name ?? ctx.service?.id ?? ''),
      route: String(ctx.route?.name ?? ctx.route?.id ?? ''),
      code: status,
      source,
      consumer: '',
      requestMs: total,
      upstreamMs,
      kongMs: total - (upstreamMs ?? 0),
      bytesIn: ctx.bytesIn,
      bytesOut,
    });
  accessLog(
    req.socket.remoteAddress ?? '-',
    req.method ?? 'GET',
    req.url ?? '/',
    status,
    bytesOut,
    String(req.headers['user-agent'] ?? '-'),
  );
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

async function handle(
  rt: Runtime,
  listenPort: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const ctx: Ctx = {
    started: Date.now(),
    requestId: randomBytes(16).toString('hex'),
    service: null,
    route: null,
    bytesIn: 0,
  };
  const url = new URL(req.url ?? '/', 'http://proxy.local');
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  const query = url.search;
  const hostHeader = String(req.headers.host ?? '');
  await rt.events.beforeRequest();
  // Tracing starts at the request's start time; the plugins are those of the iterator just brought up to date.
  const trace = rt.tracing.begin(rt.plugins, req, res, { startedMs: ctx.started, requestId: ctx.requestId });
  trace?.routerStart();
  const match = rt.router.match({
    method: req.method ?? 'GET',
    host: hostHeader,
    path: rawPath,
    headers: req.headers,
    protocol: 'http',
  });
  trace?.routed(match?.route ?? null, match?.service ?? null);
  if (!match) return kongError(rt, req, res, ctx, 404, 'no Route matched with those values');
  ctx.route = match.route;
  ctx.service = match.service;
  if (match.protocolMismatch) {
    const code = Number(match.route.https_redirect_status_code ?? 426);
    if (code === 426)
      return kongError(rt, req, res, ctx, 426, 'Please use HTTPS protocol', {
        Connection: 'Upgrade',
        Upgrade: 'TLS/1.2, HTTP/1.1',
      });
    res.writeHead(code, {
      Location: `https://${hostHeader.replace(/:\d+$/, '')}${req.url}`,
      Server: `kong/${KONG_VERSION}`,
    });
    res.end();
    return;
  }
  const service = match.service;
  if (!service) return kongError(rt, req, res, ctx, 503, 'no Service found with those values');
  // The access phase's plugins (the opentelemetry plugin injects traceparent into req.headers).
  trace?.access(req.headers, rt.balancer.isUpstream(String(service.host)));
  const strip = match.route.strip_path !== false;
  const path = upstreamUri(String(service.path ?? '/'), strip, rawPath, match.matched) + query;
  const tries = hasBody(req) ? 1 : Number(service.retries ?? 5) + 1;
  const proxyLatency = () => Date.now() - ctx.started;
  let sentAt = Date.now();
  let lastErr: Error | null = null;
  for (let tryCount = 0; tryCount < tries; tryCount++) {
    let peer: Peer;
    try {
      // A retry resolves from the DNS cache only (kong/runloop/balancer/init.lua:302, :374).
      peer = await rt.balancer.pick(service, tryCount !== 0);
    } catch (e) {
      if (!(e instanceof BalancerError)) throw e;
      if (tryCount === 0) {
        log('error', `[kong] handler.lua: ${e.message} for '${service.host}'`);
        return kongError(rt, req, res, ctx, e.status, e.message);
      }
      // kong/init.lua Kong.balancer: a failed retry is `ngx.exit(errcode)`, i.e. an error page
      log(
        'error',
        `[kong] init.lua: failed to retry the dns/balancer resolver for ${service.host}' with: ${e.message}`,
      );
      return errorPage(rt, req, res, ctx, e.status, proxyLatency(), Date.now() - sentAt);
    }
    trace?.balancerTry(peer);
    if (tryCount === 0) sentAt = Date.now();
    const result = await forward(
      rt,
      req,
      res,
      ctx,
      service,
      peer,
      path,
      listenPort,
      proxyLatency(),
      strip ? match.matched : '',
    );
    if (result === 'done') return;
    trace?.balancerTryFailed(result);
    lastErr = result;
    log(
      'error',
      `[kong] connect() to ${peer.address}:${peer.port} failed (${result.message}) while connecting to upstream, upstream: "http://${peer.address}:${peer.port}${path}"`,
    );
  }
  const status = lastErr && /timeout/i.test(lastErr.message) ? 504 : 502;
  return errorPage(rt, req, res, ctx, status, sentAt - ctx.started, Date.now() - sentAt);
}

function forward(
  rt: Runtime,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: Ctx,
  service: Entity,
  peer: Peer,
  path: string,
  listenPort: number,
  proxyLatency: number,
  stripped: string,
): Promise<'done' | Error> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
    const secure = service.protocol === 'https';
    const defaultPort = secure ? 443 : 80;
    const incomingHost = String(req.headers.host ?? '');
    headers.host = ctx.route?.preserve_host
      ? incomingHost
      : (peer.hostHeader ?? (peer.port === defaultPort ? peer.hostname : `${peer.hostname}:${peer.port}`));
    const remote = req.socket.remoteAddress ?? '';
    const xff = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = xff ? `${xff}, ${remote}` : remote;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = incomingHost.replace(/:\d+$/, '');
    headers['x-forwarded-port'] = String(listenPort);
    headers['x-forwarded-path'] = (req.url ?? '/').split('?')[0] ?? '/';
    if (stripped && stripped !== '/') headers['x-forwarded-prefix'] = stripped;
    else delete headers['x-forwarded-prefix'];
    headers['x-real-ip'] = remote;
    headers['x-kong-request-id'] = ctx.requestId;
    if (req.headers['transfer-encoding']) headers['transfer-encoding'] = 'chunked';
    const sentAt = Date.now();
    const options = {
      agent: secure ? UPSTREAM_AGENTS.https : UPSTREAM_AGENTS.http,
      host: peer.address,
      port: peer.port,
      method: req.method,
      path,
      headers,
      servername: secure ? peer.hostname : undefined,
      rejectUnauthorized: secure ? service.tls_verify === true : undefined,
    };
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      upstream.destroy();
      if (res.headersSent) {
        res.destroy(e);
        resolve('done');
      } else resolve(e);
    };
    const upstream: ClientRequest = (secure ? httpsRequest : httpRequest)(options, (up) => {
      settled = true;
      clearTimeout(connectTimer);
      const upstreamLatency = Date.now() - sentAt;
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      out['x-kong-upstream-latency'] = String(upstreamLatency);
      out['x-kong-proxy-latency'] = String(proxyLatency);
      out.via = `1.1 kong/${KONG_VERSION}`;
      out['x-kong-request-id'] = ctx.requestId;
      res.writeHead(up.statusCode ?? 502, out);
      let bytes = 0;
      up.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      up.pipe(res);
      up.on('end', () => finish(rt, req, ctx, up.statusCode ?? 502, 'service', upstreamLatency, bytes));
      up.on('error', () => res.destroy());
      resolve('done');
    });
    const connectTimer = setTimeout(
      () => fail(new Error('connect timeout')),
      Number(service.connect_timeout ?? 60000),
    );
    upstream.on('socket', (s) => {
      s.once('connect', () => clearTimeout(connectTimer));
    });
    upstream.setTimeout(Number(service.read_timeout ?? 60000), () => fail(new Error('upstream timeout')));
    upstream.on('error', fail);
    if (hasBody(req)) {
      req.on('data', (c: Buffer) => {
        ctx.bytesIn += c.length;
      });
      req.pipe(upstream);
    } else upstream.end();
  });
}

export function createProxyServer(rt: Runtime, listenPort: number): Server {
  const server = createServer((req, res) => {
    rt.metrics.totalRequests++;
    rt.metrics.reading++;
    req.once('end', () => {
      rt.metrics.reading--;
      rt.metrics.writing++;
    });
    res.once('close', () => {
      if (req.readableEnded) rt.metrics.writing--;
      else rt.metrics.reading--;
    });
    inRequestScope(() => handle(rt, listenPort, req, res)).catch((e) => {
      log('error', `[kong] ${(e as Error).stack ?? e}`);
      if (!res.headersSent) {
        res.writeHead(500, {
          'Content-Type': 'application/json; charset=utf-8',
          Server: `kong/${KONG_VERSION}`,
        });
        res.end('{"message":"An unexpected error occurred"}');
      } else res.destroy();
    });
  });
  server.on('connection', (sock) => {
    rt.metrics.accepted++;
    rt.metrics.handled++;
    rt.metrics.active++;
    sock.once('close', () => rt.metrics.active--);
  });
  return server;
}
