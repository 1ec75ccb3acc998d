// mkdev's registrator, Kubernetes mode: what the original platform's Consul registrator did on its
// clusters. It watches the pods of its namespace through the API server (@kubernetes/client-node's
// informer: a list, then a watch from that list's resourceVersion, relisting when the watch ends) and
// registers those annotated `dev.mkdev.register-port: <name>:<port>` in Consul, deregistering them
// when they go. The registration is registration.ts, the same as the Docker mode's.
//
// `mkdev export kubernetes` ships these files in a ConfigMap; an init container installs the pinned
// @kubernetes/client-node beside them and Node runs them with type stripping, as the Docker stack does.
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { onPodEvent, type PodEventType } from './pod-events.ts';
import { createRegistrar, log } from './registration.ts';

const namespace = process.env.MKDEV_NAMESPACE ?? 'default';
const consulUrl = process.env.CONSUL_URL ?? 'http://consul:8500';

async function main(): Promise<void> {
  const kc = new KubeConfig();
  // In a pod: the ServiceAccount's token; elsewhere (a developer running it by hand): ~/.kube/config.
  if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  const api = kc.makeApiClient(CoreV1Api);
  const registrar = createRegistrar(consulUrl);
  const informer = makeInformer(kc, `/api/v1/namespaces/${namespace}/pods`, () =>
    api.listNamespacedPod({ namespace }),
  );
  // Events are applied one at a time, in order: a pod's DELETED never overtakes its ADDED.
  let queue = Promise.resolve();
  const apply = (type: PodEventType) => (pod: V1Pod) => {
    queue = queue.then(() => onPodEvent(registrar, type, pod)).catch((e: unknown) => log(`${type}: ${e}`));
  };
  informer.on('add', apply('ADDED'));
  informer.on('update', apply('MODIFIED'));
  informer.on('delete', apply('DELETED'));
  informer.on('error', (error: unknown) => {
    log(`watch failed (${(error as Error).message ?? error}); restarting in 2 s`);
    setTimeout(() => void informer.start().catch(() => undefined), 2000);
  });
  await informer.start();
  log(`watching pods in namespace ${namespace}, registering in ${consulUrl}`);
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
main().catch((error: unknown) => {
  log(`stopping: ${(error as Error).message}`);
  process.exit(1);
});
