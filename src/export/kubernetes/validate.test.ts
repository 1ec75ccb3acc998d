// The checks a schema cannot make, each against the default stack's manifests broken on purpose in
// one way; and the schema check itself (kubernetes-models, the Kubernetes API's OpenAPI schemas).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../../stack/load-stack.ts';
import { stackToKubernetes } from './manifests.ts';
import type { K8sObject, ManifestFile } from './objects.ts';
import { imageTag, referenceProblems } from './validate-references.ts';
import { schemaProblems } from './validate-schema.ts';

const stack = await loadStack({ cwd: mkdtempSync(join(tmpdir(), 'mkdev-k8s-')), project: 'shop', env: {} });

/** A fresh copy of the default stack's manifests, with `edit` applied to the object named. */
// biome-ignore lint/suspicious/noExplicitAny: the tests break objects in ways their types forbid
function broken(kind: string, name: string, edit: (o: any) => void): ManifestFile[] {
  const files = structuredClone(stackToKubernetes(stack).files) as ManifestFile[];
  const target = files.flatMap((f) => f.objects).find((o) => o.kind === kind && o.metadata?.name === name);
  if (target === undefined) throw new Error(`no ${kind} ${name}`);
  edit(target);
  return files;
}

const without = (files: readonly ManifestFile[], kind: string, name: string): ManifestFile[] =>
  files.map((f) => ({
    ...f,
    objects: f.objects.filter((o: K8sObject) => !(o.kind === kind && o.metadata?.name === name)),
  }));

describe('cross-reference checks', () => {
  it('find nothing wrong with the default stack', () => {
    const { files } = stackToKubernetes(stack);
    expect([...schemaProblems(files), ...referenceProblems(files)]).toEqual([]);
  });

  it('catch a Service that selects no pod template', () => {
    const files = broken('Service', 'rabbitmq', (s) => {
      s.spec.selector = { 'app.kubernetes.io/name': 'rabbit' };
    });
    expect(referenceProblems(files)).toEqual([
      'rabbitmq.yaml: Service rabbitmq: its selector {"app.kubernetes.io/name":"rabbit"} matches no pod template',
    ]);
  });

  it('catch a Service port that no container of the selected pods opens', () => {
    const files = broken('Service', 'kong', (s) => {
      s.spec.ports[1].targetPort = 8444;
    });
    expect(referenceProblems(files)).toEqual([
      "kong.yaml: Service kong: port 8001 targets 8444/TCP, which its pods' containers do not open",
    ]);
  });

  it('catch a missing Secret, a missing key, and a missing ConfigMap', () => {
    expect(referenceProblems(without(stackToKubernetes(stack).files, 'Secret', 'shop-secrets'))).toContain(
      'postgres.yaml: StatefulSet postgres, container postgres: env POSTGRES_PASSWORD: Secret shop-secrets does not exist',
    );
    const files = broken('Secret', 'shop-secrets', (s) => {
      delete s.stringData['rabbitmq-probe-authorization'];
    });
    expect(referenceProblems(files)).toEqual([
      "rabbitmq.yaml: StatefulSet rabbitmq, container rabbitmq: env MKDEV_PROBE_AUTHORIZATION: Secret shop-secrets has no key 'rabbitmq-probe-authorization'",
    ]);
    expect(
      referenceProblems(without(stackToKubernetes(stack).files, 'ConfigMap', 'registrator-source')),
    ).toEqual([
      'registrator.yaml: Deployment registrator: volume source: ConfigMap registrator-source does not exist',
    ]);
  });

  it('catch a host port, and images without a tag or with latest', () => {
    const files = broken('Deployment', 'kong', (d) => {
      d.spec.template.spec.containers[0].ports[0].hostPort = 80;
      d.spec.template.spec.containers[0].image = 'kong:latest';
    });
    expect(referenceProblems(files)).toEqual([
      'kong.yaml: Deployment kong, container kong: binds host port 80 (use a Service)',
      "kong.yaml: Deployment kong, container kong: image 'kong:latest' has the tag 'latest': pin a version",
    ]);
    expect([
      imageTag('kong'),
      imageTag('localhost:5000/kong'),
      imageTag('kong@sha256:ab'),
      imageTag('r:5000/a/b:1'),
    ]).toEqual([undefined, undefined, '', '1']);
  });

  it('catch a StatefulSet without its headless Service, and RBAC pointing nowhere', () => {
    const files = without(
      without(stackToKubernetes(stack).files, 'Service', 'postgres'),
      'Role',
      'registrator',
    );
    expect(referenceProblems(files).sort()).toEqual([
      "postgres.yaml: StatefulSet postgres: its serviceName 'postgres' is no headless Service",
      'registrator.yaml: RoleBinding registrator: refers to Role registrator, which does not exist',
    ]);
  });
});

describe('schema validation', () => {
  it('names the object and the field the Kubernetes schema refuses', () => {
    const files = broken('StatefulSet', 'postgres', (s) => {
      s.spec.replicas = 'one';
      delete s.spec.template.spec.containers;
    });
    const [problem, ...rest] = schemaProblems(files);
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^postgres\.yaml: StatefulSet postgres: .*spec\/replicas must be integer/);
    expect(problem).toMatch(
      /must have required property 'containers'|must have required property containers/,
    );
  });
});
