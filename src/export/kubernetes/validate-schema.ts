// Every manifest against the Kubernetes API's OpenAPI schemas, as kubernetes-models ships them
// (generated from Kubernetes 1.34's API; the objects written use only fields that exist since 1.30).
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { K8sObject, ManifestFile } from './objects.ts';

interface Validatable {
  validate(): void;
}

const MODELS: Record<string, (o: never) => Validatable> = {
  'apps/v1 Deployment': (o) => new Deployment(o),
  'apps/v1 StatefulSet': (o) => new StatefulSet(o),
  'batch/v1 Job': (o) => new Job(o),
  'v1 Service': (o) => new Service(o),
  'v1 Secret': (o) => new Secret(o),
  'v1 ConfigMap': (o) => new ConfigMap(o),
  'v1 Namespace': (o) => new Namespace(o),
  'v1 ServiceAccount': (o) => new ServiceAccount(o),
  'rbac.authorization.k8s.io/v1 Role': (o) => new Role(o),
  'rbac.authorization.k8s.io/v1 RoleBinding': (o) => new RoleBinding(o),
};

export const describeObject = (o: K8sObject) => `${o.kind} ${o.metadata?.name ?? '(unnamed)'}`;

/** One message per invalid object: file, object, and the schema's complaints. */
export function schemaProblems(files: readonly ManifestFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    for (const object of file.objects) {
      const model = MODELS[`${object.apiVersion} ${object.kind}`];
      if (model === undefined) {
        problems.push(
          `${file.name}: ${describeObject(object)}: no schema for ${object.apiVersion} ${object.kind}`,
        );
        continue;
      }
      try {
        model(object as never).validate();
      } catch (error) {
        problems.push(`${file.name}: ${describeObject(object)}: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}
