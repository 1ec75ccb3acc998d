// The resolved stack as Kubernetes manifests: one file per service, plus the namespace and the Secret.
// Every service goes through the same generic mapping (workload.ts); what the platform's start-up
// needs on top (the flag job, Kong's wait and resolver, Consul's DNS, the registrator's Kubernetes
// mode) is added by the modules that know it. Everything that cannot be carried over is a warning.
import type { INamespace } from 'kubernetes-models/v1';
import { UsageError, UserError } from '../../errors.ts';
import type { ServiceSpec, Stack } from '../../stack/model.ts';
import { serviceWithRole } from '../../stack/roles.ts';
import { afterReadyName, withAfterCompleted } from '../actions.ts';
import { bundledSourceConfigMap } from './bundled-sources.ts';
import { consulCommand, consulDnsService, isDiscovery, withDnsPorts } from './consul.ts';
import { imageNeeds } from './image-needs.ts';
import { builtImages } from './images.ts';
import { afterReadyJob, kongEntrypoint, kongFlag, kongProxyService, type ProxyServiceType } from './kong.ts';
import { type ExportContext, type K8sObject, type ManifestFile, metadataFor } from './objects.ts';
import { isRegistrator, registratorObjects } from './registrator.ts';
import { type SecretKeys, secretKeysOf, secretObject } from './secrets.ts';
import { referenceProblems } from './validate-references.ts';
import { schemaProblems } from './validate-schema.ts';
import { serviceObjects, type WorkloadOptions } from './workload.ts';

export interface KubernetesOptions {
  readonly namespace?: string;
  readonly registry?: string;
  readonly storageClass?: string;
  readonly proxyServiceType?: ProxyServiceType;
}

export interface KubernetesManifests {
  readonly files: readonly ManifestFile[];
  /** Stack features with no Kubernetes equivalent, left out. */
  readonly warnings: readonly string[];
  /** Adaptations that keep the meaning (Kong's resolver, the registrator's mode, host ports). */
  readonly notes: readonly string[];
  readonly images: ReturnType<typeof builtImages>;
  readonly namespace: string;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function stackToKubernetes(stack: Stack, options: KubernetesOptions = {}): KubernetesManifests {
  const namespace = options.namespace ?? stack.project;
  if (!DNS_LABEL.test(namespace)) {
    throw new UsageError(
      `namespace '${namespace}' is not a valid Kubernetes namespace name`,
      'lower-case letters, digits and dashes, at most 63 characters: --namespace my-team',
    );
  }
  const ctx: ExportContext = { project: stack.project, namespace, secretName: `${stack.project}-secrets` };
  const keys = secretKeysOf(stack);
  const images = builtImages(stack, options.registry);
  const imageOf = (s: ServiceSpec) => images.find((b) => b.service.name === s.name)?.image ?? s.image;
  const found: Found = { warnings: [], notes: [] };
  const secretData: Record<string, string> = {};
  const files: ManifestFile[] = [];
  for (const s of Object.values(stack.services)) {
    const objects = objectsFor(
      ctx,
      stack,
      s,
      keys,
      { image: imageOf(s), ...storage(options) },
      options,
      found,
    );
    Object.assign(secretData, objects.secretData);
    files.push({ name: `${s.name}.yaml`, objects: objects.objects });
  }
  const shared: K8sObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: metadataFor(ctx, namespace, stack.project).labels },
    } satisfies INamespace,
  ];
  if (keys.size > 0 || Object.keys(secretData).length > 0) shared.push(secretObject(ctx, keys, secretData));
  files.unshift({ name: 'namespace.yaml', objects: shared.slice(0, 1) });
  if (shared.length > 1) files.splice(1, 0, { name: 'secrets.yaml', objects: shared.slice(1) });
  const published = Object.values(stack.services).filter((s) =>
    s.ports.some((p) => p.published !== 0 || p.hostIp),
  );
  if (published.length > 0) {
    found.notes.push(
      `host ports (${published.map((s) => s.name).join(', ')}) are not bound on any node: in the cluster each service is reached through its Service (kubectl port-forward svc/<name> <port> from a laptop), and Kong's proxy through the ${options.proxyServiceType ?? 'LoadBalancer'} Service`,
    );
  }
  checkManifests(files);
  return { files, ...found, images, namespace };
}

function checkManifests(files: readonly ManifestFile[]): void {
  const problems = [...schemaProblems(files), ...referenceProblems(files)];
  if (problems.length > 0) {
    throw new UserError(
      `the Kubernetes manifests for this stack are not valid (${problems.length} problems)`,
      {
        details: problems.map((p) => `- ${p}`).join('\n'),
        hint: 'fix the services named above in mkdev.yaml',
      },
    );
  }
}

function storage(options: KubernetesOptions): Pick<WorkloadOptions, 'storageClass'> {
  return options.storageClass ? { storageClass: options.storageClass } : {};
}

interface Found {
  readonly warnings: string[];
  readonly notes: string[];
}

function objectsFor(
  ctx: ExportContext,
  stack: Stack,
  s: ServiceSpec,
  keys: SecretKeys,
  base: WorkloadOptions,
  options: KubernetesOptions,
  { warnings, notes }: Found,
): { objects: K8sObject[]; secretData: Record<string, string> } {
  if (isRegistrator(s)) {
    notes.push(
      `${s.name}: runs in Kubernetes mode: it watches the namespace's pods (annotation dev.mkdev.register-port) instead of Docker's events; an init container installs @kubernetes/client-node from the npm registry`,
    );
    const discovery = serviceWithRole(stack, 'discovery')?.name;
    return { objects: registratorObjects(ctx, { ...s, image: base.image }, discovery), secretData: {} };
  }
  const flag = kongFlag(stack, s);
  const consul = isDiscovery(s);
  let argv: Pick<WorkloadOptions, 'entrypoint' | 'command'> = {
    ...(s.entrypoint ? { entrypoint: s.entrypoint } : {}),
    ...(s.command ? { command: s.command } : {}),
  };
  // The same wrapper as export compose: flags cleared, the command, then the actions.
  if (s.oneShot) argv = withAfterCompleted(s);
  if (flag) {
    argv = { entrypoint: kongEntrypoint(flag) };
    notes.push(
      `${s.name}: its entrypoint is the Kubernetes one: the same wait for the Consul KV flag ${flag.key}, then the consul-dns Service's ClusterIP as KONG_DNS_RESOLVER`,
    );
  }
  if (consul) {
    const command = consulCommand(s);
    argv = command ? { ...argv, command } : argv;
  }
  const needs = imageNeeds(consul ? withDnsPorts(s) : s);
  if (needs.note) notes.push(needs.note);
  const result = serviceObjects(ctx, stack, needs.service, keys, {
    ...base,
    ...argv,
    ...(needs.fsGroup === undefined ? {} : { fsGroup: needs.fsGroup }),
  });
  warnings.push(...result.warnings);
  notes.push(...result.notes);
  const objects = [...result.objects];
  const sources = bundledSourceConfigMap(ctx, s);
  if (sources) {
    objects.unshift(sources);
    notes.push(
      `${s.name}: the mkdev files it runs (${Object.keys(sources.data ?? {}).length} from ${s.volumes.find((v) => v.kind === 'bind')?.source.replace(/.*\/stacks\//, 'stacks/')}) travel in the ConfigMap ${sources.metadata?.name}, mounted where Docker mounts them`,
    );
  }
  if (flag) objects.push(kongProxyService(ctx, s, options.proxyServiceType ?? 'LoadBalancer'));
  if (consul) objects.push(consulDnsService(ctx, s));
  if (s.afterReady.length > 0) {
    objects.push(afterReadyJob(ctx, { ...s, image: base.image }, keys));
    notes.push(
      `${s.name}: after_ready actions run in the Job ${afterReadyName(s.name)}, which reaches ${s.name} through its Service once a pod is ready; an existing Kong plugin is kept, not updated`,
    );
  }
  if (s.oneShot && s.afterCompleted.length > 0) {
    notes.push(
      `${s.name}: its Job clears its Consul KV flags first and sets them only once its command succeeded`,
    );
  }
  return { objects, secretData: result.secretData };
}
