// The dashboard's HTTP server, on Node's own http module: the page, a JSON API, server-sent events
// for live updates, and POST actions. Every answer goes through the gate in security.ts, and every
// byte of platform data through the secret mask (the page sees secrets only from /api/secrets).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ServiceAction } from '../project/service-actions.ts';
import { loadPageAssets, type PageAssets, pageHtml } from './page-html.ts';
import type { ActionResult, DashboardState, EndpointView, LogEntry, TryResult } from './protocol.ts';
import { refusal } from './security.ts';

export type StateListener = (patch: Partial<DashboardState>) => void;

/** What the server serves: LiveState in the product, a fake in the server's unit tests. */
export interface DashboardBackend {
  readonly project: string;
  state(): DashboardState;
  logs(): readonly LogEntry[];
  subscribe(listener: StateListener): () => void;
  subscribeLogs(listener: (entries: readonly LogEntry[]) => void): () => void;
  mask(text: string): string;
  secrets(): readonly EndpointView[];
  action(service: string, action: ServiceAction): Promise<ActionResult>;
  tryRoute(route: string): Promise<TryResult>;
  /** The trace receiver's list of traces, for the query given (route, service, errors, limit). */
  traces(query: URLSearchParams): Promise<unknown>;
  /** One trace with its spans, or undefined when the receiver has none by that id. */
  trace(traceId: string): Promise<unknown>;
}

const ACTIONS = new Set(['restart', 'stop', 'rebuild']);
const BASE_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': `${type}; charset=utf-8` });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 64 * 1024) throw new Error('body too large');
  }
  const value = text === '' ? {} : (JSON.parse(text) as unknown);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

function json(backend: DashboardBackend, res: ServerResponse, status: number, value: unknown): void {
  send(res, status, backend.mask(JSON.stringify(value)));
}

function servePage(res: ServerResponse, assets: PageAssets | undefined, project: string): void {
  if (assets === undefined) {
    send(res, 500, 'the page is not built: run npm run build', 'text/plain');
    return;
  }
  const nonce = randomBytes(16).toString('base64');
  res.setHeader(
    'content-security-policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'`,
  );
  send(res, 200, pageHtml(assets, project, nonce), 'text/html');
}

async function serviceAction(
  backend: DashboardBackend,
  res: ServerResponse,
  service: string,
  verb: string,
): Promise<void> {
  if (!ACTIONS.has(verb))
    return json(backend, res, 404, { error: `no action '${verb}': restart, stop or rebuild` });
  const result = await backend.action(decodeURIComponent(service), verb as ServiceAction);
  return json(backend, res, result.ok ? 200 : 409, result);
}

async function tryRoute(backend: DashboardBackend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req).catch(() => undefined);
  if (typeof body?.route !== 'string') return json(backend, res, 400, { error: 'send {"route": "<name>"}' });
  return json(backend, res, 200, await backend.tryRoute(body.route));
}

async function route(
  backend: DashboardBackend,
  assets: PageAssets | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const path = url.pathname;
  if (req.method === 'GET' && path === '/') return servePage(res, assets, backend.project);
  if (req.method === 'GET' && path === '/api/state') return json(backend, res, 200, backend.state());
  if (req.method === 'GET' && path === '/api/logs') return json(backend, res, 200, backend.logs());
  if (req.method === 'GET' && path === '/api/secrets')
    return send(res, 200, JSON.stringify(backend.secrets()));
  if (req.method === 'GET' && path === '/api/events') return events(backend, req, res);
  const action = /^\/api\/services\/([^/]+)\/([a-z]+)$/.exec(path);
  if (req.method === 'POST' && action) {
    const [, service = '', verb = ''] = action;
    return serviceAction(backend, res, service, verb);
  }
  if (req.method === 'POST' && path === '/api/routes/try') return tryRoute(backend, req, res);
  if (req.method === 'GET' && path === '/api/traces')
    return json(backend, res, 200, await backend.traces(url.searchParams));
  const trace = /^\/api\/traces\/([0-9a-f]{32})$/.exec(path);
  if (req.method === 'GET' && trace) {
    const found = await backend.trace(trace[1] as string);
    return found === undefined
      ? json(backend, res, 404, {
          error: `no trace ${trace[1]} (not yet received, or dropped as the oldest)`,
        })
      : json(backend, res, 200, found);
  }
  return json(backend, res, 404, { error: `no ${req.method} ${path}` });
}

function events(backend: DashboardBackend, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    ...BASE_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    connection: 'keep-alive',
  });
  const emit = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${backend.mask(JSON.stringify(data))}\n\n`);
  // The whole state first, then only what changes: the page renders from the first message.
  emit('state', backend.state());
  emit('logs', backend.logs());
  const offState = backend.subscribe((patch) => emit('state', patch));
  const offLogs = backend.subscribeLogs((entries) => emit('logs', entries));
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(keepAlive);
    offState();
    offLogs();
  });
}

export function createDashboardServer(
  backend: DashboardBackend,
  token: string,
  assets: PageAssets | undefined = loadPageAssets(),
): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refused = refusal(req, url, token);
    if (refused) return json(backend, res, refused.status, { error: refused.message });
    route(backend, assets, req, res, url).catch((error: unknown) =>
      json(backend, res, 500, { error: (error as Error).message }),
    );
  });
}
