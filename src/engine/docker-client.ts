// One way to reach the Docker engine: DOCKER_HOST when set, else the default socket (dockerode's rules).
import Docker from 'dockerode';
import { withDeadline } from '../abort.ts';
import { UserError } from '../errors.ts';
import { START_ENGINE_HINT } from './engine-error.ts';

export type { Docker };

export function describeDockerHost(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

export function createDockerClient(options: { timeoutMs?: number } = {}): Docker {
  // No timeout on the client itself: logs, events and pulls stream for a long time. Callers that must
  // answer quickly (doctor, ping) race their own deadline.
  return new Docker(options.timeoutMs === undefined ? undefined : { timeout: options.timeoutMs });
}

/** Resolves when the engine answers, or fails with a UserError naming where we looked, within `deadlineMs`. */
async function pingEngine(docker: Docker, deadlineMs = 3000): Promise<void> {
  try {
    await withDeadline(docker.ping(), deadlineMs, `no answer within ${deadlineMs / 1000} s`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`cannot reach the Docker engine at ${describeDockerHost()} (${reason})`, {
      hint: START_ENGINE_HINT,
    });
  }
}

/** A connected client, or a clear error: the one entry point commands use. */
export async function connectEngine(): Promise<Docker> {
  const docker = createDockerClient();
  await pingEngine(docker);
  return docker;
}
