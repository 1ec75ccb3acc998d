// /v1/session/*: create, destroy, renew, info, list, node.

import { parseGoDuration } from './durations.ts';
import { type HttpContext, requireLeader, requireMethod, serveRead } from './http-context.ts';
import { decodeJsonBody, HttpError, readBody, sendJson } from './http-util.ts';
import { field } from './service-definition.ts';
import { sessionJson } from './session-store.ts';

const TTL_MIN_MS = 10_000;
const TTL_MAX_MS = 24 * 3_600_000;

async function create(ctx: HttpContext): Promise<void> {
  requireMethod(ctx, 'PUT');
  const body = (decodeJsonBody(await readBody(ctx.req)) ?? {}) as Record<string, unknown>;
  requireLeader(ctx, true);
  const node = String(field(body, 'Node') ?? '') || ctx.state.catalog.node.name;
  if (node !== ctx.state.catalog.node.name) throw new HttpError(500, 'Missing node registration');
  const behavior = String(field(body, 'Behavior') ?? '') || 'release';
  if (behavior !== 'release' && behavior !== 'delete') {
    throw new HttpError(500, `Invalid Behavior setting '${behavior}'`);
  }
  const ttl = String(field(body, 'TTL') ?? '');
  const ttlMs = ttl ? parseGoDuration(ttl) : 0;
  if (ttlMs === undefined)
    throw new HttpError(400, `Request decode failed: time: invalid duration ${JSON.stringify(ttl)}`);
  if (ttlMs !== 0 && (ttlMs < TTL_MIN_MS || ttlMs > TTL_MAX_MS)) {
    throw new HttpError(500, `Invalid Session TTL '${ttlMs * 1e6}', must be between [10s=24h0m0s]`);
  }
  const delayRaw = field(body, 'LockDelay');
  const lockDelayMs =
    typeof delayRaw === 'number'
      ? delayRaw / 1e6
      : typeof delayRaw === 'string'
        ? (parseGoDuration(delayRaw) ?? 15_000)
        : 15_000;
  const s = ctx.state.sessions.create({
    name: String(field(body, 'Name') ?? ''),
    node,
    lockDelayMs,
    behavior,
    ttl,
    ttlMs,
  });
  sendJson(ctx.res, 200, { ID: s.id }, ctx.pretty);
}

export async function handleSession(ctx: HttpContext, path: string): Promise<boolean> {
  const m = /^\/v1\/session\/([a-z]+)(?:\/(.*))?$/.exec(path);
  if (!m) return false;
  const [, op, arg = ''] = m;
  const { sessions, catalog } = ctx.state;
  switch (op) {
    case 'create':
      await create(ctx);
      return true;
    case 'destroy':
      requireMethod(ctx, 'PUT');
      requireLeader(ctx, true);
      if (!arg) throw new HttpError(400, 'Missing session');
      sessions.destroy(arg);
      sendJson(ctx.res, 200, true, ctx.pretty);
      return true;
    case 'renew': {
      requireMethod(ctx, 'PUT');
      requireLeader(ctx, true);
      if (!arg) throw new HttpError(400, 'Missing session');
      const s = sessions.renew(arg);
      if (!s) throw new HttpError(404, `Session id '${arg}' not found`);
      sendJson(ctx.res, 200, [sessionJson(s)], ctx.pretty);
      return true;
    }
    case 'info': {
      requireMethod(ctx, 'GET');
      if (!arg) throw new HttpError(400, 'Missing session');
      serveRead(ctx, () => {
        const s = sessions.get(arg);
        return { index: sessions.index, body: s ? [sessionJson(s)] : [] };
      });
      return true;
    }
    case 'list':
      requireMethod(ctx, 'GET');
      serveRead(ctx, () => ({ index: sessions.index, body: sessions.list().map(sessionJson) }));
      return true;
    case 'node':
      requireMethod(ctx, 'GET');
      serveRead(ctx, () => ({
        index: sessions.index,
        body: arg === catalog.node.name ? sessions.list().map(sessionJson) : [],
      }));
      return true;
    default:
      return false;
  }
}
