// mkdev's registrator, Kubernetes mode: what the original platform's Consul registrator did on its
// clusters. It watches the pods of its namespace through the API server (pod-watch.ts) and registers
// those annotated `dev.mkdev.register-port: <name>:<port>` in Consul, deregistering them when they go
// (pod-events.ts). The registration is registration.ts, the same as the Docker mode's.
//
// `mkdev export kubernetes` ships these files in a ConfigMap; an init container installs the pinned
// @kubernetes/client-node beside them and Node runs them with type stripping, as the Docker stack does.
import { KubeConfig } from '@kubernetes/client-node';
import { watchPods } from './pod-watch.ts';
import { createRegistrar, log } from './registration.ts';

const namespace = process.env.MKDEV_NAMESPACE ?? 'default';
const consulUrl = process.env.CONSUL_URL ?? 'http://consul:8500';

async function main(): Promise<void> {
  const kc = new KubeConfig();
  // In a pod: the ServiceAccount's token; elsewhere (a developer running it by hand): ~/.kube/config.
  if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  await watchPods(kc, namespace, createRegistrar(consulUrl), log).started;
  log(`watching pods in namespace ${namespace}, registering in ${consulUrl}`);
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
main().catch((error: unknown) => {
  log(`stopping: ${(error as Error).message}`);
  process.exit(1);
});
