// Consul blocking queries: ?index=N&wait=D holds the request until the result's index exceeds N.

import type { ServerResponse } from 'node:http';
import { parseGoDuration } from './durations.ts';
import type { RaftIndex } from './raft-index.ts';

export interface QueryResult {
  index: number;
  /** undefined body with status 404 gives an empty 404, as Consul does for a missing key. */
  status?: number;
  body?: unknown;
  raw?: Buffer;
  contentType?: string;
}

export class BadRequest extends Error {}

const DEFAULT_WAIT_MS = 5 * 60_000;
const MAX_WAIT_MS = 10 * 60_000;

export interface BlockingParams {
  minIndex: number;
  waitMs: number;
}

export function parseBlockingParams(q: URLSearchParams): BlockingParams {
  let minIndex = 0;
  const idx = q.get('index');
  if (idx !== null && idx !== '') {
    if (!/^\d+$/.test(idx)) throw new BadRequest('Invalid index');
    minIndex = Number(idx);
  }
  let waitMs = DEFAULT_WAIT_MS;
  const wait = q.get('wait');
  if (wait !== null && wait !== '') {
    const parsed = parseGoDuration(wait);
    if (parsed === undefined || parsed < 0) throw new BadRequest('Invalid wait time');
    waitMs = Math.min(parsed, MAX_WAIT_MS);
  }
  // Consul adds up to wait/16 of random jitter.
  waitMs += Math.random() * (waitMs / 16);
  return { minIndex, waitMs };
}

/** Runs `compute` now, or again after each state change, until its index passes minIndex or time runs out. */
export function blockingQuery(
  res: ServerResponse,
  raft: RaftIndex,
  params: BlockingParams,
  compute: () => QueryResult,
  send: (res: ServerResponse, result: QueryResult) => void,
): void {
  const first = compute();
  if (params.minIndex === 0 || first.index > params.minIndex) {
    send(res, first);
    return;
  }
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    off();
    clearTimeout(timer);
    if (!res.destroyed) send(res, compute());
  };
  const off = raft.onChange(() => {
    if (compute().index > params.minIndex) finish();
  });
  const timer = setTimeout(finish, params.waitMs);
  // The response's close event fires when the client goes away (or the answer is sent).
  res.on('close', () => {
    if (done) return;
    done = true;
    off();
    clearTimeout(timer);
  });
}
