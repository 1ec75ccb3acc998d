// What a schema cannot see: the objects must fit together. Every Service selects pods some workload
// creates, on ports their containers open; every Secret, ConfigMap, ServiceAccount, Role and governing
// Service referred to exists (with the keys referred to); no container binds a host port; every image
// has a tag other than `latest` (a mutable tag makes what runs depend on when a node pulled).
import type { IContainer, IPodTemplateSpec } from 'kubernetes-models/v1';
import { isWorkload, type K8sObject, type ManifestFile, podTemplateOf } from './objects.ts';
import { describeObject } from './validate-schema.ts';

interface Located {
  readonly file: string;
  readonly object: K8sObject;
}

export function referenceProblems(files: readonly ManifestFile[]): string[] {
  const all: Located[] = files.flatMap((f) => f.objects.map((object) => ({ file: f.name, object })));
  const find = (kind: string, name: string | undefined) =>
    all.find((l) => l.object.kind === kind && l.object.metadata?.name === name)?.object;
  const problems: string[] = [];
  // Two objects of one kind and name: the second would silently replace the first when applied.
  const seen = new Map<string, string>();
  for (const { file, object } of all) {
    const id = `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, file);
    else
      problems.push(
        `${file}: ${describeObject(object)} is also defined in ${first}: rename one of the services`,
      );
  }
  const templates = all.flatMap((l) => {
    const t = isWorkload(l.object) ? podTemplateOf(l.object) : undefined;
    return t ? [{ ...l, template: t }] : [];
  });
  for (const { file, object } of all) {
    const where = `${file}: ${describeObject(object)}`;
    if (object.kind === 'Service') problems.push(...serviceProblems(where, object, templates));
    if (object.kind === 'StatefulSet') {
      const governing = find('Service', object.spec?.serviceName);
      if (governing?.kind !== 'Service' || governing.spec?.clusterIP !== 'None') {
        problems.push(`${where}: its serviceName '${object.spec?.serviceName}' is no headless Service`);
      }
    }
    if (object.kind === 'RoleBinding') {
      if (!find(object.roleRef.kind, object.roleRef.name)) {
        problems.push(
          `${where}: refers to ${object.roleRef.kind} ${object.roleRef.name}, which does not exist`,
        );
      }
      for (const subject of object.subjects ?? []) {
        if (subject.kind === 'ServiceAccount' && !find('ServiceAccount', subject.name)) {
          problems.push(`${where}: binds ServiceAccount ${subject.name}, which does not exist`);
        }
      }
    }
  }
  for (const { file, object, template } of templates) {
    problems.push(...podProblems(`${file}: ${describeObject(object)}`, template, find));
  }
  return problems;
}

function containersOf(t: IPodTemplateSpec): IContainer[] {
  return [...(t.spec?.initContainers ?? []), ...(t.spec?.containers ?? [])];
}

function serviceProblems(
  where: string,
  service: Extract<K8sObject, { kind: 'Service' }>,
  templates: readonly { template: IPodTemplateSpec }[],
): string[] {
  const selector = service.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) return [`${where}: selects no pods (empty selector)`];
  const selected = templates.filter(({ template }) =>
    Object.entries(selector).every(([k, v]) => template.metadata?.labels?.[k] === v),
  );
  if (selected.length === 0) {
    return [`${where}: its selector ${JSON.stringify(selector)} matches no pod template`];
  }
  const problems: string[] = [];
  for (const port of service.spec?.ports ?? []) {
    const target = port.targetPort ?? port.port;
    const protocol = port.protocol ?? 'TCP';
    const open = selected.every(({ template }) =>
      (template.spec?.containers ?? []).some((c) =>
        (c.ports ?? []).some(
          (p) =>
            (p.protocol ?? 'TCP') === protocol &&
            (typeof target === 'number' ? p.containerPort === target : p.name === target),
        ),
      ),
    );
    if (!open)
      problems.push(
        `${where}: port ${port.port} targets ${target}/${protocol}, which its pods' containers do not open`,
      );
  }
  return problems;
}

function podProblems(
  where: string,
  template: IPodTemplateSpec,
  find: (kind: string, name: string | undefined) => K8sObject | undefined,
): string[] {
  const problems: string[] = [];
  const keyExists = (kind: 'Secret' | 'ConfigMap', name: string | undefined, key: string | undefined) => {
    const o = find(kind, name);
    if (o === undefined) return `${kind} ${name} does not exist`;
    const data =
      o.kind === 'Secret' ? { ...o.stringData, ...o.data } : o.kind === 'ConfigMap' ? { ...o.data } : {};
    return key === undefined || key in data ? undefined : `${kind} ${name} has no key '${key}'`;
  };
  if (template.spec?.hostNetwork) problems.push(`${where}: uses the host's network`);
  const account = template.spec?.serviceAccountName;
  if (account && !find('ServiceAccount', account))
    problems.push(`${where}: ServiceAccount ${account} does not exist`);
  for (const volume of template.spec?.volumes ?? []) {
    const missing = volume.configMap
      ? keyExists('ConfigMap', volume.configMap.name, undefined)
      : volume.secret
        ? keyExists('Secret', volume.secret.secretName, undefined)
        : undefined;
    if (missing) problems.push(`${where}: volume ${volume.name}: ${missing}`);
  }
  for (const c of containersOf(template)) {
    const at = `${where}, container ${c.name}`;
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef
        ? keyExists('Secret', e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key)
        : e.valueFrom?.configMapKeyRef
          ? keyExists('ConfigMap', e.valueFrom.configMapKeyRef.name, e.valueFrom.configMapKeyRef.key)
          : undefined;
      if (ref) problems.push(`${at}: env ${e.name}: ${ref}`);
    }
    for (const p of c.ports ?? []) {
      if (p.hostPort !== undefined) problems.push(`${at}: binds host port ${p.hostPort} (use a Service)`);
    }
    const tag = imageTag(c.image ?? '');
    if (tag === undefined || tag === 'latest') {
      problems.push(
        `${at}: image '${c.image ?? ''}' has ${tag === undefined ? 'no tag' : "the tag 'latest'"}: pin a version`,
      );
    }
  }
  return problems;
}

/** The tag of an image reference ('' for a digest, which pins it), or undefined when it has none. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return '';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon === -1 || image === '' ? undefined : last.slice(colon + 1);
}
