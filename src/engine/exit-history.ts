// A container's crashes as the engine remembers them: how often its restart policy restarted it, and
// the exit code of its last run, also once it runs again (the engine then resets State.ExitCode, but
// its `die` event kept it, while the engine still keeps that event: only its most recent ones).
import type Docker from 'dockerode';
import { isNotFound } from '../errors.ts';
import type { ExitHistory } from './engine.ts';

export async function exitHistory(docker: Docker, id: string): Promise<ExitHistory | undefined> {
  const info = await docker
    .getContainer(id)
    .inspect()
    .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
  if (info === undefined) return undefined;
  const restarts = info.RestartCount;
  // FinishedAt is the zero time until the container has exited once.
  if (info.State.FinishedAt.startsWith('0001-')) return { restarts };
  if (!info.State.Running) return { restarts, lastExitCode: info.State.ExitCode };
  const lastExitCode = await lastDieExitCode(docker, id, info.State.FinishedAt);
  return { restarts, ...(lastExitCode === undefined ? {} : { lastExitCode }) };
}

/** The exit code of the container's last `die` event, around when it last finished (best effort). */
async function lastDieExitCode(docker: Docker, id: string, finishedAt: string): Promise<number | undefined> {
  const finished = Math.floor(Date.parse(finishedAt) / 1000);
  try {
    const stream = (await docker.getEvents({
      since: finished - 1,
      until: finished + 1,
      filters: { container: [id], event: ['die'] },
    })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    const last = text.trim().split('\n').filter(Boolean).pop();
    const code = last
      ? (JSON.parse(last) as { Actor?: { Attributes?: { exitCode?: string } } }).Actor?.Attributes?.exitCode
      : undefined;
    return code === undefined ? undefined : Number(code);
  } catch {
    return undefined;
  }
}
