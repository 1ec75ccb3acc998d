// Request bodies: JSON, x-www-form-urlencoded (Kong's `a.b`, `a[]`, `a[1]` notations) and multipart.
import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.ts';

export interface Body {
  data: Record<string, unknown>;
  /** Values arrived as strings and need coercion (form encodings). */
  form: boolean;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function setPath(target: Record<string, unknown>, key: string, value: string): void {
  const parts = key
    .replace(/\[\]$/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.');
  const isArrayPush = key.endsWith('[]');
  let cur: Record<string, unknown> = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] ?? '';
    const next = parts[i + 1] ?? '';
    if (cur[p] === undefined || typeof cur[p] !== 'object') cur[p] = /^\d+$/.test(next) ? [] : {};
    cur = cur[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1] ?? '';
  if (Array.isArray(cur) && /^\d+$/.test(last)) {
    (cur as unknown[])[Number(last) - 1] = value;
    return;
  }
  const existing = cur[last];
  if (isArrayPush) {
    cur[last] = Array.isArray(existing)
      ? [...existing, value]
      : existing === undefined
        ? [value]
        : [existing, value];
  } else if (existing !== undefined) {
    cur[last] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  } else {
    cur[last] = value;
  }
}

export function fromPairs(pairs: Iterable<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of pairs) setPath(out, k, v);
  return out;
}

export async function parseBody(req: IncomingMessage): Promise<Body> {
  const raw = await readAll(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return { data: {}, form: false };
  if (type === 'application/json') {
    let data: unknown;
    try {
      data = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ApiError(400, { message: 'Cannot parse JSON body' });
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ApiError(400, { message: 'Cannot parse JSON body' });
    }
    return { data: data as Record<string, unknown>, form: false };
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { data: fromPairs(new URLSearchParams(raw.toString('utf8'))), form: true };
  }
  if (type === 'multipart/form-data') {
    const request = new Request('http://localhost/', {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type']) },
      body: raw,
    });
    const fd = await request.formData();
    const pairs: [string, string][] = [];
    for (const [k, v] of fd.entries()) pairs.push([k, typeof v === 'string' ? v : await v.text()]);
    return { data: fromPairs(pairs), form: true };
  }
  throw new ApiError(415, {
    message:
      'Unsupported Content-Type. Use application/x-www-form-urlencoded, multipart/form-data, or application/json',
  });
}
