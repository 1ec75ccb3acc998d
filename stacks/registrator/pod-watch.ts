// The Kubernetes mode's watch: @kubernetes/client-node's informer lists the namespace's pods, then
// watches from that list's resourceVersion (relisting when a watch ends), and hands each change to
// onPodEvent in order. An error restarts it after a pause; what was registered stays registered.
import { CoreV1Api, type KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { onPodEvent, type PodEventType } from './pod-events.ts';
import type { Log, Registrar } from './registration.ts';

export interface PodWatch {
  /** Resolves once the initial list has been applied. */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

export function watchPods(kc: KubeConfig, namespace: string, registrar: Registrar, say: Log): PodWatch {
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, `/api/v1/namespaces/${namespace}/pods`, () =>
    api.listNamespacedPod({ namespace }),
  );
  let stopped = false;
  // Events are applied one at a time, in order: a pod's DELETED never overtakes its ADDED.
  let queue = Promise.resolve();
  const apply = (type: PodEventType) => (pod: V1Pod) => {
    queue = queue.then(() => onPodEvent(registrar, type, pod)).catch((e: unknown) => say(`${type}: ${e}`));
  };
  informer.on('add', apply('ADDED'));
  informer.on('update', apply('MODIFIED'));
  informer.on('delete', apply('DELETED'));
  informer.on('error', (error: unknown) => {
    if (stopped) return;
    say(`watching pods failed (${(error as Error)?.message ?? error}); restarting in 2 s`);
    setTimeout(() => {
      if (!stopped) informer.start().catch(() => undefined);
    }, 2000);
  });
  const started = informer.start().then(() => queue);
  return {
    started,
    async stop() {
      stopped = true;
      await informer.stop();
      await queue;
    },
  };
}
