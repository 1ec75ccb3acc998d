// Readiness of the host process, in the two steps of the swap (host-run.ts):
// - serving: its own http/tcp probes against where it listens, and (with Consul) its instance listed
//   and passing, so Consul's DNS hands it to Kong. Then the containers may go.
// - routed: its probes through Kong (kong_route), once it is the only instance. Then it is "ready".
// Exec and log probes need a container: skipped. Each resolves false if the process exits or `stop`
// aborts first.
import { allOf } from '../readiness/create-probe.ts';
import { notReady, type PeerTarget, type Probe, READY } from '../readiness/probe.ts';
import { waitUntilReady } from '../readiness/wait-until-ready.ts';
import type { ReadyProbe, ServiceSpec } from '../stack/model.ts';
import { passingAt } from './consul-instances.ts';

export interface HostTarget {
  /** Where mkdev reaches the process from this machine (where it listens). */
  readonly bind: string;
  /** The address Consul lists it at (host.docker.internal inside the project network). */
  readonly inNetwork: string;
  readonly port: number;
  readonly consulUrl: string | undefined;
  readonly peer: (service: string) => PeerTarget | undefined;
}

function listedAndPassing(consulUrl: string, address: string, port: number): Probe {
  return {
    description: `Consul lists ${address}:${port} as passing`,
    async check() {
      try {
        return (await passingAt(consulUrl, address, port))
          ? READY
          : notReady('not listed, or not passing yet');
      } catch (error) {
        return notReady((error as Error).message);
      }
    },
  };
}

async function waitFor(
  probes: Probe[],
  target: HostTarget,
  exited: Promise<number>,
  stop: AbortSignal,
  timeoutMs: number,
  onGiveUp?: (reason: string) => void,
): Promise<boolean> {
  const done = new AbortController();
  const abort = () => done.abort();
  stop.addEventListener('abort', abort, { once: true });
  let gone = false;
  void exited.then(() => {
    gone = true;
    done.abort();
  });
  if (stop.aborted) return false;
  if (probes.length === 0) return !gone;
  const probe: Probe =
    probes.length === 1 && probes[0]
      ? probes[0]
      : {
          description: probes.map((p) => p.description).join(' and '),
          async check(t, signal) {
            for (const p of probes) {
              const result = await p.check(t, signal);
              if (!result.ready) return result;
            }
            return READY;
          },
        };
  try {
    await waitUntilReady(
      probe,
      {
        host: target.bind,
        hostPort: () => target.port,
        exec: () => Promise.reject(new Error('no container')),
        logs: () => Promise.resolve(''),
        peer: target.peer,
      },
      {
        intervalMs: 100,
        timeoutMs,
        signal: done.signal,
        whyDead: async () => (gone ? 'the process exited' : undefined),
      },
    );
    return true;
  } catch (error) {
    if (!gone && !stop.aborted) onGiveUp?.((error as Error).message);
    return false;
  } finally {
    stop.removeEventListener('abort', abort);
    done.abort();
  }
}

const ofKind = (service: ServiceSpec, kinds: readonly ReadyProbe['kind'][]) =>
  (service.ready?.probes ?? []).filter((p) => kinds.includes(p.kind));

/** The service's own readiness timeout: how long to wait before saying it is slow. */
export const readyTimeoutMs = (service: ServiceSpec) => service.ready?.timeoutMs ?? 120_000;

/** It answers where it listens and Consul hands it out: the containers may go. */
export function waitServing(
  service: ServiceSpec,
  target: HostTarget,
  exited: Promise<number>,
  stop: AbortSignal,
  timeoutMs: number,
): Promise<boolean> {
  const direct = ofKind(service, ['http', 'tcp']);
  const probes = [
    ...(direct.length > 0 ? [allOf(direct)] : []),
    ...(target.consulUrl ? [listedAndPassing(target.consulUrl, target.inNetwork, target.port)] : []),
  ];
  return waitFor(probes, target, exited, stop, timeoutMs);
}

/** Requests through Kong reach it. `onGiveUp` hears why not, when the service's timeout ran out. */
export function waitRouted(
  service: ServiceSpec,
  target: HostTarget,
  exited: Promise<number>,
  stop: AbortSignal,
  onGiveUp?: (reason: string) => void,
): Promise<boolean> {
  const throughKong = ofKind(service, ['kong_route']);
  return waitFor(
    throughKong.length > 0 ? [allOf(throughKong)] : [],
    target,
    exited,
    stop,
    readyTimeoutMs(service),
    onGiveUp,
  );
}
