// `mkdev logs`: each service's output, prefixed per service (the caller styles the prefix), optionally
// followed.
import { Writable } from 'node:stream';
import type { Engine } from '../engine/engine.ts';
import { byCodeUnit } from '../engine/observed-state.ts';

export interface LogOptions {
  readonly services: readonly string[];
  readonly follow: boolean;
  readonly signal: AbortSignal;
  readonly since?: string;
  readonly tail?: string;
  /** Only these containers (by id or name): the dashboard attaches to each one as it (re)starts. */
  readonly containers?: readonly string[];
  /** Receives each line instead of stdout/stderr (the dashboard). */
  readonly sink?: (line: LogLine) => void;
  /** The prefix of the i-th container's lines, from its padded `service-replica` label (default: as is). */
  readonly prefix?: (label: string, index: number) => string;
}

export interface LogLine {
  readonly service: string;
  readonly replica: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export function sinceSeconds(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  const m = /^(\d+)(s|m|h)$/.exec(since);
  if (m)
    return (
      Math.floor(Date.now() / 1000) -
      Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[m[2] as 's' | 'm' | 'h']
    );
  const t = Date.parse(since);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

function lineWriter(prefix: string, out: NodeJS.WritableStream | ((line: string) => void)): Writable {
  let pending = '';
  const emit = typeof out === 'function' ? out : (line: string) => out.write(`${prefix}${line}\n`);
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line);
      done();
    },
    final(done) {
      if (pending) emit(pending);
      done();
    },
  });
}

export async function followLogs(engine: Engine, options: LogOptions): Promise<void> {
  const { containers: only } = options;
  const containers = (await engine.containers())
    .filter((c) => options.services.length === 0 || options.services.includes(c.service))
    .filter((c) => only === undefined || only.includes(c.id) || only.includes(c.name))
    .sort((a, b) => byCodeUnit(a.name, b.name));
  const width = Math.max(0, ...containers.map((c) => c.service.length + 2));
  const since = sinceSeconds(options.since);
  const range = {
    ...(since === undefined ? {} : { since }),
    ...(options.tail === undefined || options.tail === 'all' ? {} : { tail: Number(options.tail) }),
  };
  await Promise.all(
    containers.map(async (c, i) => {
      const { service } = c;
      const replica = String(c.replica);
      const label = `${service}-${replica}`.padEnd(width);
      const prefix = options.prefix?.(label, i) ?? `${label} | `;
      const { sink } = options;
      const to = (stream: 'stdout' | 'stderr') =>
        sink ? (text: string) => sink({ service, replica, stream, text }) : process[stream];
      if (!options.follow) {
        lineWriter(prefix, to('stdout')).end(await engine.logs(c, range));
        return;
      }
      const writers = { stdout: lineWriter(prefix, to('stdout')), stderr: lineWriter(prefix, to('stderr')) };
      await engine.followLogs(c, {
        ...range,
        signal: options.signal,
        onOutput: (stream, text) => writers[stream].write(text),
      });
      writers.stdout.end();
      writers.stderr.end();
    }),
  );
}
