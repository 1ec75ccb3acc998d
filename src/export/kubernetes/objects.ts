// The Kubernetes objects the export writes, typed by kubernetes-models (the same package validates
// them), and the metadata every one of them carries.
import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IRole, IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type {
  IConfigMap,
  INamespace,
  IPodTemplateSpec,
  ISecret,
  IService,
  IServiceAccount,
} from 'kubernetes-models/v1';

export type K8sObject =
  | IDeployment
  | IStatefulSet
  | IJob
  | IService
  | ISecret
  | IConfigMap
  | INamespace
  | IServiceAccount
  | IRole
  | IRoleBinding;

export type Workload = IDeployment | IStatefulSet | IJob;

/** One file of the export: a service's objects (or the shared ones), in apply order. */
export interface ManifestFile {
  readonly name: string;
  readonly objects: readonly K8sObject[];
}

export interface ExportContext {
  readonly project: string;
  readonly namespace: string;
  /** The Secret holding the stack's generated credentials. */
  readonly secretName: string;
}

/** The label a service's pods are selected by, and its Services' selector. */
const SERVICE_LABEL = 'app.kubernetes.io/name';

export function selectorFor(service: string): Record<string, string> {
  return { [SERVICE_LABEL]: service };
}

export function metadataFor(
  ctx: ExportContext,
  name: string,
  service: string,
): { name: string; namespace: string; labels: Record<string, string> } {
  return {
    name,
    namespace: ctx.namespace,
    labels: {
      ...selectorFor(service),
      'app.kubernetes.io/part-of': ctx.project,
      'app.kubernetes.io/managed-by': 'mkdev',
    },
  };
}

export function isWorkload(o: K8sObject): o is Workload {
  return o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'Job';
}

export function podTemplateOf(o: Workload): IPodTemplateSpec | undefined {
  return o.spec?.template;
}
