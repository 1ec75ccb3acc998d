// /v1/kv/<key>: GET (raw, recurse, keys+separator), PUT (cas, flags), DELETE (recurse, cas).

import type { QueryResult } from './blocking-query.ts';
import { type HttpContext, requireLeader, serveRead } from './http-context.ts';
import { HttpError, MAX_KV_BYTES, readBody, sendJson } from './http-util.ts';
import { foldKeys, type KvEntry } from './kv-store.ts';

function entryJson(e: KvEntry): Record<string, unknown> {
  return {
    LockIndex: e.lockIndex,
    Key: e.key,
    Flags: Number(e.flags),
    Value: e.value ? e.value.toString('base64') : null,
    CreateIndex: e.createIndex,
    ModifyIndex: e.modifyIndex,
    ...(e.session ? { Session: e.session } : {}),
  };
}

/** strconv.ParseUint failures surface as Consul's generic 500 with Go's error text. */
function parseUint(q: URLSearchParams, name: string): bigint | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v))
    throw new HttpError(500, `strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
  return BigInt(v);
}

/** Consul's conflictingFlags: 400 "Conflicting flags: <encoded query>". */
function conflicting(q: URLSearchParams, ...flags: string[]): void {
  if (flags.filter((f) => q.has(f)).length > 1) {
    const sorted = new URLSearchParams([...q.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    throw new HttpError(400, `Conflicting flags: ${sorted.toString()}\n`);
  }
}

function missingKey(key: string): void {
  if (key === '') throw new HttpError(400, 'Missing key name');
}

export async function handleKv(ctx: HttpContext, key: string): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  if (method === 'GET') return kvGet(ctx, key);
  if (method === 'PUT') return kvPut(ctx, key);
  if (method === 'DELETE') return kvDelete(ctx, key);
  throw new HttpError(405, `method ${method} not allowed`);
}

function kvGet(ctx: HttpContext, key: string): void {
  const { q } = ctx;
  const kv = ctx.state.kv;
  if (q.has('keys')) {
    const sep = q.get('separator') ?? q.get('seperator') ?? '';
    serveRead(ctx, (): QueryResult => {
      const index = kv.indexFor(key, true);
      const keys = foldKeys(
        kv.list(key).map((e) => e.key),
        key,
        sep,
      );
      if (keys.length === 0 && key !== '') return { index, status: 404 };
      return { index, body: keys };
    });
    return;
  }
  const recurse = q.has('recurse');
  if (!recurse) missingKey(key);
  const raw = q.has('raw');
  serveRead(ctx, (): QueryResult => {
    const index = kv.indexFor(key, recurse);
    const entries = recurse ? kv.list(key) : [kv.get(key)].filter((e): e is KvEntry => e !== undefined);
    if (entries.length === 0) return { index, status: 404 };
    if (raw) {
      const value = entries[0]?.value ?? Buffer.alloc(0);
      return { index, raw: value };
    }
    return { index, body: entries.map(entryJson) };
  });
}

async function kvPut(ctx: HttpContext, key: string): Promise<void> {
  const { q } = ctx;
  missingKey(key);
  conflicting(q, 'cas', 'acquire', 'release');
  const set = ['cas', 'acquire', 'release'].filter((f) => q.has(f));
  const flags = parseUint(q, 'flags') ?? 0n;
  const casBig = parseUint(q, 'cas');
  const cas = casBig === undefined ? undefined : Number(casBig);
  const declared = Number(ctx.req.headers['content-length'] ?? -1);
  if (declared > MAX_KV_BYTES) {
    throw new HttpError(
      413,
      `Request body(${declared} bytes) too large, max size: ${MAX_KV_BYTES} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.`,
    );
  }
  const body = await readBody(ctx.req);
  requireLeader(ctx, true);
  if (set[0] === 'acquire' || set[0] === 'release') {
    const session = q.get(set[0]) ?? '';
    if (!ctx.state.sessions.get(session))
      throw new HttpError(500, `invalid session ${JSON.stringify(session)}`);
    const kv = ctx.state.kv;
    const ok =
      set[0] === 'acquire' ? kv.acquire(key, body, flags, session) : kv.release(key, body, flags, session);
    sendJson(ctx.res, 200, ok, ctx.pretty);
    return;
  }
  sendJson(ctx.res, 200, ctx.state.kv.put(key, body, flags, cas), ctx.pretty);
}

function kvDelete(ctx: HttpContext, key: string): void {
  const { q } = ctx;
  conflicting(q, 'recurse', 'cas');
  const recurse = q.has('recurse');
  if (!recurse) missingKey(key);
  const casBig = parseUint(q, 'cas');
  requireLeader(ctx, true);
  const cas = casBig === undefined ? undefined : Number(casBig);
  sendJson(ctx.res, 200, ctx.state.kv.delete(key, recurse, cas), ctx.pretty);
}
