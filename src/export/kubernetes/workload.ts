// One service as Kubernetes objects: a Job for a one-shot service, a StatefulSet (with a claim per
// named volume and a headless Service) for one that keeps data, a Deployment (with a ClusterIP
// Service) otherwise. The Service carries the service's name, so the stack's own host names
// (postgres, consul:8500, rabbitmq:5672) resolve in the cluster as they do on the Docker network.
import type { IConfigMap, IService, IServicePort } from 'kubernetes-models/v1';
import type { ServiceSpec, Stack } from '../../stack/model.ts';
import { type ExportContext, type K8sObject, metadataFor, selectorFor } from './objects.ts';
import { configMapName, containerPorts, type PodOptions, type PodParts, podFor, portName } from './pod.ts';
import type { SecretKeys } from './secrets.ts';

export interface ServiceObjects {
  readonly objects: K8sObject[];
  readonly secretData: Record<string, string>;
  /** What has no Kubernetes equivalent and was left out. */
  readonly warnings: string[];
  /** What was adapted, with its meaning kept. */
  readonly notes: string[];
}

export interface WorkloadOptions extends PodOptions {
  readonly storageClass?: string;
  readonly storageSize?: string;
}

function servicePorts(s: ServiceSpec): IServicePort[] {
  return containerPorts(s).map((p) => ({
    name: portName(p),
    port: p.port,
    targetPort: p.port,
    protocol: p.protocol,
  }));
}

export function serviceObjects(
  ctx: ExportContext,
  stack: Stack,
  s: ServiceSpec,
  keys: SecretKeys,
  options: WorkloadOptions,
): ServiceObjects {
  const pod = podFor(ctx, stack, s, keys, options);
  const notes: string[] = [];
  const objects: K8sObject[] = [];
  if (Object.keys(pod.configData).length > 0) objects.push(configMapFor(ctx, s.name, pod.configData));
  const ports = servicePorts(s);
  const stateful = !s.oneShot && pod.claims.length > 0;
  if (ports.length > 0 && !s.oneShot) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadataFor(ctx, s.name, s.name),
      // Headless for a StatefulSet: its name resolves to the ready pods themselves.
      spec: { ...(stateful ? { clusterIP: 'None' } : {}), selector: selectorFor(s.name), ports },
    } satisfies IService);
  }
  objects.push(workloadFor(ctx, s, pod, stateful, options));
  if (s.hostname && stateful) {
    notes.push(
      `${s.name}: hostname '${s.hostname}' becomes the StatefulSet's stable pod name ${s.name}-0 (Kubernetes names a StatefulSet's pods itself)`,
    );
  }
  if (s.dnsSearch) {
    notes.push(
      `${s.name}: dns_search is not exported: a pod's search domains are the cluster's, which short Service names need`,
    );
  }
  return { objects, secretData: pod.secretData, warnings: pod.warnings, notes };
}

function configMapFor(ctx: ExportContext, service: string, data: Record<string, string>): IConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadataFor(ctx, configMapName(service), service),
    data,
  };
}

function workloadFor(
  ctx: ExportContext,
  s: ServiceSpec,
  pod: PodParts,
  stateful: boolean,
  options: WorkloadOptions,
): K8sObject {
  const metadata = metadataFor(ctx, s.name, s.name);
  const template =
    s.hostname && !stateful && pod.template.spec
      ? { ...pod.template, spec: { ...pod.template.spec, hostname: s.hostname } }
      : pod.template;
  if (s.oneShot) {
    // Failed pods are kept (restartPolicy Never) so their logs can be read; retried a few times, as
    // a dependency may still be starting.
    return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { backoffLimit: 6, template } };
  }
  if (stateful) {
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata,
      spec: {
        serviceName: s.name,
        replicas: s.replicas,
        selector: { matchLabels: selectorFor(s.name) },
        template,
        volumeClaimTemplates: pod.claims.map((name) => ({
          metadata: { name },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(options.storageClass ? { storageClassName: options.storageClass } : {}),
            resources: { requests: { storage: options.storageSize ?? '1Gi' } },
          },
        })),
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: { replicas: s.replicas, selector: { matchLabels: selectorFor(s.name) }, template },
  };
}
