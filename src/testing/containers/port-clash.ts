// The engine keeps one pool of free host ports per host IP. An mkdev stack publishes its ports on
// 127.0.0.1 while testcontainers publishes on all interfaces, so with a stack up the engine can hand
// a test container a port that 127.0.0.1:<port> already holds, and the start fails with "address
// already in use". The allocator moves on to the next port, so a new container starts.
import { getContainerRuntimeClient } from 'testcontainers';

const PORT_CLASH = /address already in use|port is already allocated/;
const ATTEMPTS = 3;

export function isPortClash(error: unknown): boolean {
  return error instanceof Error && PORT_CLASH.test(error.message);
}

/**
 * Runs start() again when the engine gave a published port that is taken. createdId() names the
 * container the failed attempt left behind, which is removed first.
 */
export async function startRetryingPortClash<T>(
  start: () => Promise<T>,
  createdId: () => string | undefined,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!isPortClash(error) || attempt >= ATTEMPTS) throw error;
      const id = createdId();
      if (id) await removeQuietly(id);
    }
  }
}

async function removeQuietly(id: string): Promise<void> {
  const client = await getContainerRuntimeClient();
  await client.container.remove(client.container.getById(id), { removeVolumes: true }).catch(() => {});
}
