// The engine's container events for one project (start, die, kill, stop...), read through labels, so
// a watcher learns of a killed container at once instead of at its next poll.
import type Docker from 'dockerode';
import { LABEL, projectFilter } from './labels.ts';

export interface ContainerEvent {
  readonly action: string;
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly replica: number;
}

/** Calls onEvent for each container event of the project until the signal aborts. */
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
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('error', () => resolve());
    signal.addEventListener('abort', () => {
      stream.destroy();
      resolve();
    });
  });
}
