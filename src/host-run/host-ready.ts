// Readiness of the host process: the service's own http/tcp probes against the host address and
// port, and its probes through Kong (exec and log probes need a container: skipped). Resolves false
// if the process exits first.
import { allOf } from '../readiness/create-probe.ts';
import type { PeerTarget } from '../readiness/probe.ts';
import { waitUntilReady } from '../readiness/wait-until-ready.ts';
import type { ServiceSpec } from '../stack/model.ts';

export async function waitHostReady(
  service: ServiceSpec,
  address: string,
  port: number,
  exited: Promise<number>,
  peer: (service: string) => PeerTarget | undefined,
): Promise<boolean> {
  const probes = (service.ready?.probes ?? []).filter(
    (p) => p.kind === 'http' || p.kind === 'tcp' || p.kind === 'kong_route',
  );
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
        peer,
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
