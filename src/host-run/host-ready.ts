// Readiness of the host process: the service's own http/tcp probes, against the host address and
// port (exec and log probes need a container: skipped). Resolves false if the process exits first.
import { allOf } from '../readiness/create-probe.ts';
import { waitUntilReady } from '../readiness/wait-until-ready.ts';
import type { ServiceSpec } from '../stack/model.ts';

export async function waitHostReady(
  service: ServiceSpec,
  address: string,
  port: number,
  exited: Promise<number>,
): Promise<boolean> {
  const probes = (service.ready?.probes ?? []).filter((p) => p.kind === 'http' || p.kind === 'tcp');
  const stop = new AbortController();
  let gone = false;
  void exited.then(() => {
    gone = true;
    stop.abort();
  });
  if (probes.length === 0) return !gone;
  try {
    await waitUntilReady(
      allOf(probes),
      {
        host: address,
        hostPort: () => port,
        exec: () => Promise.reject(new Error('no container')),
        logs: () => Promise.resolve(''),
      },
      {
        intervalMs: 100,
        timeoutMs: service.ready?.timeoutMs ?? 120_000,
        signal: stop.signal,
        whyDead: async () => (gone ? 'the process exited' : undefined),
      },
    );
    return true;
  } catch {
    return false;
  } finally {
    stop.abort();
  }
}
