// `mkdev logs`: each service's output, prefixed per service (the caller styles the prefix), optionally
// followed.
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { demuxToText } from '../engine/container-ops.ts';
import { LABEL, projectFilter } from '../engine/labels.ts';
import type { Stack } from '../stack/model.ts';

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

export async function followLogs(docker: Docker, stack: Stack, options: LogOptions): Promise<void> {
  const containers = (await docker.listContainers({ all: true, filters: projectFilter(stack.project) }))
    .filter((c) => options.services.length === 0 || options.services.includes(c.Labels[LABEL.service] ?? ''))
    .filter((c) => {
      const { containers: only } = options;
      return (
        only === undefined || only.includes(c.Id) || only.includes((c.Names[0] ?? '').replace(/^\//, ''))
      );
    })
    .sort((a, b) => (a.Names[0] ?? '').localeCompare(b.Names[0] ?? ''));
  const width = Math.max(0, ...containers.map((c) => (c.Labels[LABEL.service] ?? '').length + 2));
  const since = sinceSeconds(options.since);
  const base = {
    stdout: true,
    stderr: true,
    ...(since === undefined ? {} : { since }),
    ...(options.tail === undefined
      ? {}
      : { tail: options.tail === 'all' ? undefined : Number(options.tail) }),
  };
  await Promise.all(
    containers.map(async (c, i) => {
      const service = c.Labels[LABEL.service] ?? '?';
      const replica = c.Labels[LABEL.replica] ?? '1';
      const label = `${service}-${replica}`.padEnd(width);
      const prefix = options.prefix?.(label, i) ?? `${label} | `;
      const container = docker.getContainer(c.Id);
      const { sink } = options;
      const to = (stream: 'stdout' | 'stderr') =>
        sink ? (text: string) => sink({ service, replica, stream, text }) : process[stream];
      if (!options.follow) {
        const raw = (await container.logs({ ...base, follow: false })) as unknown as Buffer;
        const writer = lineWriter(prefix, to('stdout'));
        writer.end(demuxToText(raw));
        return;
      }
      const stream = (await container.logs({ ...base, follow: true })) as NodeJS.ReadableStream;
      const out = lineWriter(prefix, to('stdout'));
      const err = lineWriter(prefix, to('stderr'));
      docker.modem.demuxStream(stream, out, err);
      await new Promise<void>((resolve) => {
        stream.on('end', resolve);
        options.signal.addEventListener(
          'abort',
          () => {
            (stream as unknown as { destroy: () => void }).destroy();
            resolve();
          },
          { once: true },
        );
      });
    }),
  );
}
