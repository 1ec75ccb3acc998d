// The engine's container events for one project (start, die, kill, stop...), read through labels, so
// a watcher learns of a killed container at once instead of at its next poll.
import type Docker from 'dockerode';
import type { ContainerEvent } from './engine.ts';
import { LABEL, projectFilter } from './labels.ts';

/**
 * Calls onEvent for each container event of the project until the signal aborts; resolves once the
 * engine is sending them.
 */
export async function watchProjectEvents(
  docker: Docker,
  project: string,
  onEvent: (event: ContainerEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const stream = (await docker.getEvents({
    filters: { type: ['container'], ...projectFilter(project) },
  })) as NodeJS.ReadableStream & { destroy(): void };
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.trim() !== '')) {
      const e = JSON.parse(line) as {
        Action?: string;
        Actor?: { ID?: string; Attributes?: Record<string, string> };
      };
      const labels = e.Actor?.Attributes ?? {};
      onEvent({
        action: (e.Action ?? '').split(':')[0] ?? '',
        id: e.Actor?.ID ?? '',
        name: labels.name ?? '',
        service: labels[LABEL.service] ?? '',
        replica: Number(labels[LABEL.replica] ?? '1'),
      });
    }
  });
  stream.on('error', () => {});
  if (signal.aborted) stream.destroy();
  else signal.addEventListener('abort', () => stream.destroy(), { once: true });
}
