// Response helpers shared by the HTTP endpoints: Consul's headers, error bodies and JSON encoding.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QueryResult } from './blocking-query.ts';

/** An error Consul reports with a status code and a plain-text reason. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const MAX_KV_BYTES = 512 * 1024;

export function readBody(req: IncomingMessage, limit = 32 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Decodes a JSON request body the way Consul reports failures ("Request decode failed: ..."). */
export function decodeJsonBody(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    throw new HttpError(400, `Request decode failed: ${goJsonError(msg, text)}`);
  }
}

function goJsonError(nodeMessage: string, text: string): string {
  if (/Unexpected end of JSON input/i.test(nodeMessage)) return 'unexpected EOF';
  const pos = /position (\d+)/.exec(nodeMessage);
  const tok = /Unexpected token '(.)'/.exec(nodeMessage);
  const ch = tok?.[1] ?? (pos ? text.charAt(Number(pos[1])) : '');
  if (ch === '') return 'unexpected EOF';
  if (/Expected property name/.test(nodeMessage))
    return `invalid character '${ch}' looking for beginning of object key string`;
  return `invalid character '${ch}' looking for beginning of value`;
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, pretty = false): void {
  if (res.headersSent || res.destroyed) return;
  const text = pretty ? JSON.stringify(body, null, 4) : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Writes a blocking-query result with Consul's query-meta headers. */
export function sendQueryResult(
  res: ServerResponse,
  result: QueryResult,
  pretty: boolean,
  knownLeader: boolean,
): void {
  if (res.headersSent || res.destroyed) return;
  res.setHeader('X-Consul-Index', String(Math.max(result.index, 1)));
  res.setHeader('X-Consul-Knownleader', String(knownLeader));
  res.setHeader('X-Consul-Lastcontact', '0');
  res.setHeader('X-Consul-Query-Backend', 'blocking-query');
  res.setHeader('X-Consul-Effective-Consistency', 'leader');
  const status = result.status ?? 200;
  if (result.raw !== undefined) {
    res.writeHead(status, {
      'Content-Type': result.contentType ?? 'text/plain',
      'Content-Length': result.raw.length,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': 'sandbox',
    });
    res.end(result.raw);
    return;
  }
  if (result.body === undefined) {
    res.writeHead(status, { 'Content-Length': 0 });
    res.end();
    return;
  }
  sendJson(res, status, result.body, pretty);
}

export function queryFlag(q: URLSearchParams, name: string): boolean {
  return q.has(name);
}
