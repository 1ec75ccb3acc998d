// The Kubernetes mode's source of events, as pure functions: a pod event (what the API server's watch
// sends: ADDED, MODIFIED, DELETED with the pod) becomes a registration or a deregistration. A pod is
// registered while it runs with an IP and is not being deleted, under the same annotation the Docker
// mode reads as a label (`dev.mkdev.register-port: <name>:<port>`), with the ID `<name>-<hostname>`.
import type { Registrar, Target } from './registration.ts';
import { parseRegisterValue } from './registration.ts';

export const REGISTER_ANNOTATION = 'dev.mkdev.register-port';

export type PodEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** The part of a V1Pod the registrator reads (structurally a @kubernetes/client-node V1Pod). */
export interface PodLike {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    annotations?: Record<string, string>;
    deletionTimestamp?: Date | string;
  };
  spec?: { hostname?: string };
  status?: { phase?: string; podIP?: string };
}

/** The registration a pod should have now, or undefined when it should have none. */
export function podTarget(pod: PodLike): Target | undefined {
  const meta = pod.metadata;
  const value = meta?.annotations?.[REGISTER_ANNOTATION];
  const wanted = value === undefined ? undefined : parseRegisterValue(value);
  const address = pod.status?.podIP;
  if (meta?.uid === undefined || meta.name === undefined || wanted === undefined || !address)
    return undefined;
  if (pod.status?.phase !== 'Running' || meta.deletionTimestamp !== undefined) return undefined;
  return {
    key: meta.uid,
    serviceId: `${wanted.name}-${pod.spec?.hostname ?? meta.name}`,
    name: wanted.name,
    address,
    port: wanted.port,
    meta: { pod: meta.name, ...(meta.namespace ? { namespace: meta.namespace } : {}) },
  };
}

/** Applies one pod event: register what should be registered, deregister what no longer should. */
export async function onPodEvent(registrar: Registrar, type: PodEventType, pod: PodLike): Promise<void> {
  const uid = pod.metadata?.uid;
  if (uid === undefined) return;
  const target = type === 'DELETED' ? undefined : podTarget(pod);
  const current = registrar.registered.get(uid);
  if (target === undefined) {
    if (current !== undefined) await registrar.deregister(uid);
    return;
  }
  // A MODIFIED event repeats for status changes: register once (and again if the ID changed).
  if (current === target.serviceId) return;
  if (current !== undefined) await registrar.deregister(uid);
  await registrar.register(target);
}
