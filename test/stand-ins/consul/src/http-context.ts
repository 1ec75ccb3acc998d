// What every endpoint handler receives, and the shared read path (leader check + blocking query).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentOptions } from './agent-options.ts';
import { BadRequest, blockingQuery, parseBlockingParams, type QueryResult } from './blocking-query.ts';
import type { Catalog } from './catalog.ts';
import type { CheckRunner } from './checks.ts';
import { HttpError, sendQueryResult } from './http-util.ts';
import type { KvStore } from './kv-store.ts';
import type { Logger } from './log.ts';
import type { RaftIndex } from './raft-index.ts';
import type { SessionStore } from './session-store.ts';

export interface AgentState {
  opts: AgentOptions;
  log: Logger;
  raft: RaftIndex;
  kv: KvStore;
  catalog: Catalog;
  checks: CheckRunner;
  sessions: SessionStore;
  hasLeader(): boolean;
  startedAt: number;
}

export interface HttpContext {
  req: IncomingMessage;
  res: ServerResponse;
  q: URLSearchParams;
  path: string;
  pretty: boolean;
  state: AgentState;
}

/** Default-consistency reads and all writes need a leader; `?stale` reads do not. */
export function requireLeader(ctx: HttpContext, write = false): void {
  const dc = ctx.q.get('dc');
  if (dc && dc !== ctx.state.opts.datacenter) throw new HttpError(500, 'No path to datacenter');
  if (ctx.state.hasLeader()) return;
  if (!write && ctx.q.has('stale')) return;
  throw new HttpError(500, 'No cluster leader');
}

export function requireMethod(ctx: HttpContext, ...allowed: string[]): void {
  const m = ctx.req.method ?? 'GET';
  if (!allowed.includes(m)) throw new HttpError(405, `method ${m} not allowed`);
}

/** A read endpoint: validates blocking params, checks the leader, then answers (maybe after waiting). */
export function serveRead(ctx: HttpContext, compute: () => QueryResult): void {
  let params: ReturnType<typeof parseBlockingParams>;
  try {
    params = parseBlockingParams(ctx.q);
  } catch (err) {
    if (err instanceof BadRequest) throw new HttpError(400, err.message);
    throw err;
  }
  requireLeader(ctx);
  const { state } = ctx;
  blockingQuery(ctx.res, state.raft, params, compute, (res, result) =>
    sendQueryResult(res, result, ctx.pretty, state.hasLeader()),
  );
}
