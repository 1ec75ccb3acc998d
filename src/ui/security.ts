// The dashboard's gate: it listens on 127.0.0.1 only, but any web page the user opens can still send
// requests there, so every request must name this host (no DNS rebinding) and carry the token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(18).toString('base64url');
}

/** 127.0.0.1 or localhost, with or without a port: a rebinding attacker's own name is refused. */
export function allowedHost(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const name = hostHeader.replace(/:\d+$/, '').toLowerCase();
  return name === '127.0.0.1' || name === 'localhost';
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Refusal {
  readonly status: 401 | 403;
  readonly message: string;
}

/**
 * Why a request is refused, or undefined when it may go on. Reads take the token from the header or
 * the query (EventSource cannot set headers); actions only from the header, with a JSON body, so a
 * cross-site form cannot forge one.
 */
export function refusal(req: IncomingMessage, url: URL, token: string): Refusal | undefined {
  if (!allowedHost(req.headers.host))
    return { status: 403, message: 'this dashboard answers on 127.0.0.1 and localhost only' };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null' && !allowedHost(safeHost(origin)))
    return { status: 403, message: 'cross-origin requests are refused' };
  const header = req.headers['x-mkdev-token'];
  const given = typeof header === 'string' ? header : undefined;
  if (req.method === 'POST') {
    if (given === undefined || !same(given, token))
      return { status: 401, message: 'actions need the token in the X-Mkdev-Token header' };
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      return { status: 403, message: 'actions take a JSON body' };
    return undefined;
  }
  const candidate = given ?? url.searchParams.get('token') ?? undefined;
  if (candidate === undefined || !same(candidate, token))
    return { status: 401, message: 'the token is missing or wrong: open the URL mkdev ui printed' };
  return undefined;
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
