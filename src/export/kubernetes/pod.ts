// A service's pod template: its container (image, entrypoint and command, env, ports, volumes,
// readiness) and what Kubernetes needs besides: the Secret and ConfigMap references instead of inline
// values, and an init container standing for `depends_on: {x: {condition: ready}}`. A Service sends
// traffic only to ready pods (and a headless one resolves only to them), so a TCP connection to the
// dependency's Service succeeds exactly when it is ready.
import type { IContainer, IEnvVar, IPodTemplateSpec, IVolume, IVolumeMount } from 'kubernetes-models/v1';
import { LABEL } from '../../engine/labels.ts';
import { waitEdges } from '../../stack/graph.ts';
import type { ServiceSpec, Stack } from '../../stack/model.ts';
import { shellQuote } from '../shell.ts';
import { isBundledSource, sourceConfigMapName } from './bundled-sources.ts';
import { flagJobOf } from './kong.ts';
import { type ExportContext, metadataFor } from './objects.ts';
import { readinessProbe } from './probes.ts';
import { expandable, type SecretKeys, secretEnvName } from './secrets.ts';

export interface PodParts {
  readonly template: IPodTemplateSpec;
  /** Named volumes the pod mounts: claims a StatefulSet creates. */
  readonly claims: readonly string[];
  /** Env values kept in the service's ConfigMap (multi-line configuration). */
  readonly configData: Record<string, string>;
  readonly secretData: Record<string, string>;
  readonly warnings: string[];
}

export interface PodOptions {
  readonly image: string;
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  /** The pod's fsGroup: claims are made writable by this group. */
  readonly fsGroup?: number;
}

export const configMapName = (service: string) => `${service}-env`;

/** A named volume as a DNS-1123 label, usable as a volume and claim name. */
export function volumeName(volume: string): string {
  return volume
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63);
}

export function containerPorts(s: ServiceSpec): { port: number; protocol: 'TCP' | 'UDP' }[] {
  const seen = new Map<string, { port: number; protocol: 'TCP' | 'UDP' }>();
  for (const p of s.ports) {
    const protocol = p.protocol === 'udp' ? 'UDP' : 'TCP';
    seen.set(`${p.target}/${protocol}`, { port: p.target, protocol });
  }
  if (s.register) seen.set(`${s.register.port}/TCP`, { port: s.register.port, protocol: 'TCP' });
  return [...seen.values()];
}

export const portName = (p: { port: number; protocol: string }) => `${p.protocol.toLowerCase()}-${p.port}`;

export function podFor(
  ctx: ExportContext,
  stack: Stack,
  s: ServiceSpec,
  keys: SecretKeys,
  options: PodOptions,
): PodParts {
  const warnings: string[] = [];
  const used = new Set<string>();
  const configData: Record<string, string> = {};
  const probe = readinessProbe(s, keys, ctx.secretName);
  warnings.push(...probe.warnings);
  const env = envFor(ctx, s, keys, used, configData);
  const command = options.entrypoint?.map((a) => expandable(a, keys, used));
  const args = options.command?.map((a) => expandable(a, keys, used));
  for (const key of probe.secretsUsed) used.add(key);
  // Env vars a value refers to as $(VAR) must come first.
  const secretEnv: IEnvVar[] = [...used].sort().map((key) => ({
    name: secretEnvName(key),
    valueFrom: { secretKeyRef: { name: ctx.secretName, key } },
  }));

  const { mounts, volumes, claims } = volumesFor(s, warnings);
  const ports = containerPorts(s);
  const container: IContainer = {
    name: s.name,
    image: options.image,
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    ...(env.length + secretEnv.length + probe.env.length > 0
      ? { env: [...secretEnv, ...env, ...probe.env] }
      : {}),
    ...(ports.length > 0
      ? { ports: ports.map((p) => ({ name: portName(p), containerPort: p.port, protocol: p.protocol })) }
      : {}),
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
    ...(probe.probe ? { readinessProbe: probe.probe } : {}),
    ...securityContextFor(s, warnings),
  };
  const init = waitForDependencies(stack, s, options.image, warnings);
  const annotations: Record<string, string> = { ...s.labels };
  if (s.register) annotations[LABEL.registerPort] = `${s.register.name}:${s.register.port}`;
  const { name: _name, namespace: _ns, ...meta } = metadataFor(ctx, s.name, s.name);
  const template: IPodTemplateSpec = {
    metadata: { ...meta, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: {
      ...(init ? { initContainers: [init] } : {}),
      containers: [container],
      ...(volumes.length > 0 ? { volumes } : {}),
      ...(options.fsGroup === undefined ? {} : { securityContext: { fsGroup: options.fsGroup } }),
      ...(s.oneShot ? { restartPolicy: 'Never' } : {}),
    },
  };
  return { template, claims, configData, secretData: probe.secretData, warnings };
}

/**
 * The service's env: a secret as a secretKeyRef, multi-line configuration from the service's
 * ConfigMap, the rest as values (secrets inside them as $(MKDEV_SECRET_...), recorded in `used`).
 */
function envFor(
  ctx: ExportContext,
  s: ServiceSpec,
  keys: SecretKeys,
  used: Set<string>,
  configData: Record<string, string>,
): IEnvVar[] {
  return Object.entries(s.env).map(([name, value]): IEnvVar => {
    const secret = keys.get(value);
    if (secret !== undefined)
      return { name, valueFrom: { secretKeyRef: { name: ctx.secretName, key: secret } } };
    if (value.includes('\n') && expandable(value, keys, new Set()) === value) {
      configData[name] = value;
      return { name, valueFrom: { configMapKeyRef: { name: configMapName(s.name), key: name } } };
    }
    return { name, value: expandable(value, keys, used) };
  });
}

function volumesFor(
  s: ServiceSpec,
  warnings: string[],
): { mounts: IVolumeMount[]; volumes: IVolume[]; claims: string[] } {
  const mounts: IVolumeMount[] = [];
  const claims: string[] = [];
  const sources: IVolume[] = [];
  for (const v of s.volumes) {
    if (isBundledSource(v)) {
      mounts.push({ name: 'source', mountPath: v.target, readOnly: true });
      sources.push({ name: 'source', configMap: { name: sourceConfigMapName(s.name) } });
      continue;
    }
    if (v.kind === 'bind') {
      warnings.push(
        `${s.name}: the bind mount ${v.source}:${v.target} has no Kubernetes equivalent (the cluster cannot see this machine's files); it is left out: put the files in the image or a ConfigMap`,
      );
      continue;
    }
    const name = volumeName(v.source);
    mounts.push({ name, mountPath: v.target, ...(v.readOnly ? { readOnly: true } : {}) });
    if (!claims.includes(name)) claims.push(name);
  }
  if (claims.length > 0 && s.oneShot) {
    warnings.push(
      `${s.name}: a job's named volumes (${claims.join(', ')}) become emptyDir volumes, kept only while its pod runs`,
    );
    return { mounts, volumes: [...sources, ...claims.map((name) => ({ name, emptyDir: {} }))], claims: [] };
  }
  return { mounts, volumes: sources, claims };
}

function securityContextFor(s: ServiceSpec, warnings: string[]): Pick<IContainer, 'securityContext'> {
  if (s.user === undefined) return {};
  const match = /^(\d+)(?::(\d+))?$/.exec(s.user);
  if (!match) {
    warnings.push(
      `${s.name}: user '${s.user}' is a name; Kubernetes takes numeric IDs only (runAsUser), so the image's user is kept`,
    );
    return {};
  }
  return {
    securityContext: {
      runAsUser: Number(match[1]),
      ...(match[2] === undefined ? {} : { runAsGroup: Number(match[2]) }),
    },
  };
}

function waitForDependencies(
  stack: Stack,
  s: ServiceSpec,
  image: string,
  warnings: string[],
): IContainer | undefined {
  const lines: string[] = [];
  const flagJob = flagJobOf(stack, s);
  for (const { on: dep, condition } of waitEdges(s).filter((e) => e.via === 'depends_on')) {
    const dependency = stack.services[dep];
    if (dependency === undefined || condition === 'started' || dep === flagJob) continue;
    const port = containerPorts(dependency).find((p) => p.protocol === 'TCP');
    if (condition === 'completed' || port === undefined) {
      warnings.push(
        `${s.name}: waits for ${dep} ${condition === 'completed' ? 'to complete' : 'to be ready, but it exposes no TCP port'}; Kubernetes has no such ordering, so ${s.name} starts without waiting (and must retry)`,
      );
      continue;
    }
    const check = `if command -v bash >/dev/null 2>&1; then bash -c 'exec 3<>/dev/tcp/$0/$1' ${dep} ${port.port}; else nc -z ${dep} ${port.port}; fi`;
    lines.push(
      `echo ${shellQuote(`mkdev: waiting for ${dep} to be ready (${dep}:${port.port})`)}`,
      `until ${check} 2>/dev/null; do sleep 1; done`,
    );
  }
  if (lines.length === 0) return undefined;
  return { name: 'wait-for-dependencies', image, command: ['sh', '-c', lines.join('\n')] };
}
