// A container's output through the engine's log endpoint: all of it as text, or followed as it comes.
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { demuxToText } from './container-ops.ts';
import type { FollowOptions, LogOptions } from './engine.ts';

function logRange(options: LogOptions): { tail?: number; since?: number } {
  return {
    ...(options.tail === undefined ? {} : { tail: options.tail }),
    ...(options.since === undefined ? {} : { since: options.since }),
  };
}

/** stdout and stderr interleaved, as the engine keeps them. */
export async function containerLogs(container: Docker.Container, options: LogOptions = {}): Promise<string> {
  const raw = (await container.logs({
    stdout: true,
    stderr: true,
    follow: false,
    ...logRange(options),
  })) as unknown as Buffer;
  return demuxToText(raw);
}

function sink(onText: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      onText(chunk.toString('utf8'));
      done();
    },
  });
}

/** Hands each piece of output to `onOutput` until the container stops or the signal aborts. */
export async function followContainerLogs(
  docker: Docker,
  container: Docker.Container,
  options: FollowOptions,
): Promise<void> {
  const stream = (await container.logs({
    stdout: true,
    stderr: true,
    follow: true,
    ...logRange(options),
  })) as NodeJS.ReadableStream & { destroy(): void };
  docker.modem.demuxStream(
    stream,
    sink((text) => options.onOutput('stdout', text)),
    sink((text) => options.onOutput('stderr', text)),
  );
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('error', () => resolve());
    const stop = () => {
      stream.destroy();
      resolve();
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
  });
}
