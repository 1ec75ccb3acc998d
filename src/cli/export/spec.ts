import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'export',
  summary: 'write the stack as a Compose file or as Kubernetes manifests',
  usage:
    'mkdev export compose [-o file] | kubernetes [-o dir] [--namespace ns] [--registry host/prefix] [options]',
  help: `Writes the stack mkdev would bring up (default stack, mkdev.yaml, image map, generated
credentials) for another engine. The output contains credentials.

compose: a Compose file (docker-compose 1.29 and Compose v2), with healthchecks from the readiness
probes (every second), depends_on conditions, and mkdev's after-start actions run inside the stack.
Without -o it is printed on stdout.

kubernetes: one manifest file per service and a kustomization.yaml, validated against the
Kubernetes API schemas and checked for dangling references: StatefulSets for what keeps data,
readiness probes from the stack's, credentials in a Secret, the migrations as a Job that sets the
Consul KV flag Kong waits for, and the registrator watching pods. Built services need --registry.

Options:
${PROJECT_HELP}
  -o, --output <path>   compose: the file (mode 0600, default stdout); kubernetes: the directory (default k8s)
      --namespace <ns>  kubernetes: the namespace (default: the project name)
      --registry <host/prefix>
                        kubernetes: where built services' images are pushed and pulled from
      --build           kubernetes: build the built services' images under their registry names
      --push            kubernetes: build and push them
      --storage-class <name>
                        kubernetes: the StorageClass of the volume claims (default: the cluster's)
      --proxy-service-type <LoadBalancer|NodePort>
                        kubernetes: how Kong's proxy is exposed (default LoadBalancer)

Examples:
  mkdev export compose -o compose.yaml && docker-compose -f compose.yaml up -d
  mkdev export compose --images images/offline-image-map.yaml | docker compose -f - config
  mkdev export kubernetes -o k8s --registry registry.example.com/team --push && kubectl apply -k k8s`,
  options: {
    ...PROJECT_OPTIONS,
    output: { type: 'string', short: 'o' },
    namespace: { type: 'string' },
    registry: { type: 'string' },
    'storage-class': { type: 'string' },
    'proxy-service-type': { type: 'string' },
    build: { type: 'boolean' },
    push: { type: 'boolean' },
  },
  allowPositionals: true,
};
