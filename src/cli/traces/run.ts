import { setTimeout } from 'node:timers/promises';
import { UsageError, UserError } from '../../errors.ts';
import { renderTrace } from '../../output/trace-tree.ts';
import { roleUrl } from '../../platform/role-urls.ts';
import {
  getTrace,
  listTraces,
  type TraceDetail,
  type TraceQuery,
  TraceReceiverError,
} from '../../platform/traces.ts';
import { boolFlag, type CommandRun, projectRef, stringFlag } from '../command.ts';
import { EXIT_FAILURE, EXIT_OK } from '../errors.ts';
import { openProject } from '../open-project.ts';

/** A trace is printed once no span of it arrived for this long (services and Kong batch their spans). */
const SETTLE_MS = 1500;
const POLL_MS = 500;

function queryOf(values: Parameters<CommandRun>[0]['values']): { query: TraceQuery; limit: number } {
  const limitText = stringFlag(values, 'limit') ?? '10';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit takes a number of traces, not '${limitText}'`, 'e.g. --limit 20');
  const route = stringFlag(values, 'route');
  if (route !== undefined && !route.startsWith('/'))
    throw new UsageError(`--route takes a path starting with '/', not '${route}'`, 'e.g. --route /orders');
  const service = stringFlag(values, 'service');
  return {
    limit,
    query: {
      ...(route ? { route } : {}),
      ...(service ? { service } : {}),
      ...(boolFlag(values, 'errors') ? { errors: true } : {}),
    },
  };
}

export const run: CommandRun = async ({ values, positionals, cwd, signal }) => {
  const { query, limit } = queryOf(values);
  if (positionals.length > 1) throw new UsageError('give at most one trace id', 'mkdev traces <trace-id>');
  const { stack, engine, host } = await openProject(projectRef(values), cwd);
  const url = roleUrl(stack, await engine.observe([]), host, 'traces', 'otlp');
  if (url === undefined)
    throw new UserError(`the trace receiver of ${stack.project} is not running`, { hint: "run 'mkdev up'" });
  const json = boolFlag(values, 'json');
  const print = (trace: TraceDetail) =>
    process.stdout.write(`${json ? JSON.stringify(trace) : `${renderTrace(trace)}\n`}\n`);
  try {
    const [id] = positionals;
    if (id !== undefined) {
      if (!/^[0-9a-fA-F]{32}$/.test(id))
        throw new UsageError(
          `'${id}' is not a trace id`,
          'a trace id is 32 hex digits (mkdev traces lists them)',
        );
      const trace = await getTrace(url, id, signal);
      if (trace === undefined) {
        process.stderr.write(`no trace ${id} in the receiver (not yet sent, or dropped as the oldest)\n`);
        return EXIT_FAILURE;
      }
      print(trace);
      return EXIT_OK;
    }
    const { traces, seq } = await listTraces(url, { ...query, limit }, signal);
    for (const summary of traces.reverse()) {
      const trace = await getTrace(url, summary.traceId, signal);
      if (trace) print(trace);
    }
    if (traces.length === 0 && !boolFlag(values, 'follow') && !json)
      process.stdout.write(
        `no traces yet${Object.keys(query).length ? ' matching' : ''}: send a request through Kong ($MKDEV_KONG_PROXY_URL)\n`,
      );
    if (boolFlag(values, 'follow')) await follow(url, query, seq, print, signal);
    return EXIT_OK;
  } catch (error) {
    if (signal.aborted) return EXIT_OK;
    if (error instanceof TraceReceiverError)
      throw new UserError(error.message, { hint: "check 'mkdev status traces'" });
    throw error;
  }
};

/** Prints each trace that gets spans after `seq`, once it settled; again if more spans come later. */
async function follow(
  url: string,
  query: TraceQuery,
  seq: number,
  print: (trace: TraceDetail) => void,
  signal: AbortSignal,
): Promise<void> {
  let after = seq;
  const pending = new Map<string, number>();
  const printed = new Map<string, number>();
  while (!signal.aborted) {
    const { traces, seq: now } = await listTraces(
      url,
      { ...query, updatedAfter: after, limit: 1000 },
      signal,
    );
    after = now;
    for (const t of traces) pending.set(t.traceId, t.receivedAt);
    for (const [id, receivedAt] of [...pending].sort((a, b) => a[1] - b[1])) {
      if (Date.now() - receivedAt < SETTLE_MS) continue;
      pending.delete(id);
      const trace = await getTrace(url, id, signal);
      if (trace === undefined || printed.get(id) === trace.summary.spanCount) continue;
      printed.set(id, trace.summary.spanCount);
      print(trace);
    }
    await setTimeout(POLL_MS, undefined, { signal }).catch(() => {});
  }
}
