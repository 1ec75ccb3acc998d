// Pushes an image to its registry, with the credentials `docker login` stored for it.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { UserError } from '../errors.ts';
import type { Progress } from './engine.ts';

export async function pushImage(
  docker: Docker,
  image: string,
  service: string,
  progress: Progress,
): Promise<void> {
  const fail = (reason: string) =>
    new UserError(`pushing ${image} (service ${service}) failed: ${reason}`, {
      hint: 'check that the registry is reachable from this machine and that you are logged in to it (docker login <registry>)',
    });
  progress(`pushing ${image}`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker
      .getImage(image)
      .push({ authconfig: registryAuth(image) })) as NodeJS.ReadableStream;
  } catch (error) {
    throw fail(firstLine(error));
  }
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: { error?: string }[]) => {
        const failed = error?.message ?? output?.find((o) => o.error)?.error;
        if (failed) reject(fail(failed.split('\n')[0]?.trim() ?? failed));
        else resolve();
      },
      (event: { status?: string; id?: string; error?: string }) => {
        if (!event.error && event.status) progress([event.id, event.status].filter(Boolean).join(' '));
      },
    );
  });
  progress(`pushed ${image}`);
}

/**
 * The credentials `docker login` stored for the image's registry (in ~/.docker/config.json), else
 * none. The engine refuses a push without an X-Registry-Auth header, so an empty one is sent then.
 * Credential helpers (credsStore) are not consulted.
 */
function registryAuth(image: string, env = process.env): Record<string, string> {
  const host = image.slice(0, image.indexOf('/'));
  try {
    const file = join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, { auth?: string }> };
    const auth = config.auths?.[host]?.auth ?? config.auths?.[`https://${host}`]?.auth;
    if (auth === undefined) return {};
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: host };
  } catch {
    return {};
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}
