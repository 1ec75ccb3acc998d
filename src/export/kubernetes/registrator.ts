// The registrator in Kubernetes mode. Its sources (stacks/registrator: the shared registration.ts, the
// pod-event source and the entry point) travel in a ConfigMap, as the Docker stack mounts them; an init
// container installs the one dependency, @kubernetes/client-node at the version mkdev itself was
// tested with, and Node 24 runs the TypeScript as is (type stripping). So the stock node image runs it
// and no registry is needed for it; the cluster needs to reach the npm registry once per pod start.
// Its ServiceAccount may only get, list and watch pods in its namespace.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IRole, IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IConfigMap, IServiceAccount } from 'kubernetes-models/v1';
import { MKDEV_HOME } from '../../stack/load-stack.ts';
import type { ServiceSpec } from '../../stack/model.ts';
import { type ExportContext, type K8sObject, metadataFor, selectorFor } from './objects.ts';

export const REGISTRATOR_DIR = join(MKDEV_HOME, 'stacks', 'registrator');
export const REGISTRATOR_FILES = [
  'registration.ts',
  'pod-events.ts',
  'pod-watch.ts',
  'kubernetes.ts',
] as const;
const SOURCE_MOUNT = '/opt/mkdev-source';
const APP_DIR = '/opt/mkdev';

/** The stack's registrator: the service that mounts mkdev's registrator sources. */
export function isRegistrator(s: ServiceSpec): boolean {
  return s.volumes.some((v) => v.kind === 'bind' && v.source.startsWith(REGISTRATOR_DIR));
}

export function clientNodeVersion(): string {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@kubernetes/client-node/package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export function registratorObjects(ctx: ExportContext, s: ServiceSpec): K8sObject[] {
  const meta = (name: string) => metadataFor(ctx, name, s.name);
  const account: IServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(s.name) };
  const role: IRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: meta(s.name),
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
  };
  const binding: IRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(s.name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: s.name },
    subjects: [{ kind: 'ServiceAccount', name: s.name, namespace: ctx.namespace }],
  };
  const packageJson = {
    name: 'mkdev-registrator',
    private: true,
    type: 'module',
    dependencies: { '@kubernetes/client-node': clientNodeVersion() },
  };
  const source: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(`${s.name}-source`),
    data: {
      'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
      ...Object.fromEntries(
        REGISTRATOR_FILES.map((f) => [f, readFileSync(join(REGISTRATOR_DIR, f), 'utf8')]),
      ),
    },
  };
  const consulUrl = s.env.CONSUL_URL ?? 'http://consul:8500';
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(s.name),
    spec: {
      // One watcher: two would race each other's registrations.
      replicas: 1,
      selector: { matchLabels: selectorFor(s.name) },
      template: {
        metadata: { labels: meta(s.name).labels },
        spec: {
          serviceAccountName: s.name,
          initContainers: [
            {
              name: 'install',
              image: s.image,
              workingDir: APP_DIR,
              command: [
                'sh',
                '-c',
                `cp ${SOURCE_MOUNT}/* ${APP_DIR}/ && npm install --omit=dev --ignore-scripts --no-audit --no-fund --cache /tmp/npm`,
              ],
              volumeMounts: [
                { name: 'source', mountPath: SOURCE_MOUNT },
                { name: 'app', mountPath: APP_DIR },
              ],
            },
          ],
          containers: [
            {
              name: s.name,
              image: s.image,
              command: ['node', `${APP_DIR}/kubernetes.ts`],
              env: [
                { name: 'MKDEV_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'CONSUL_URL', value: consulUrl },
              ],
              volumeMounts: [{ name: 'app', mountPath: APP_DIR, readOnly: true }],
            },
          ],
          volumes: [
            { name: 'source', configMap: { name: `${s.name}-source` } },
            { name: 'app', emptyDir: {} },
          ],
        },
      },
    },
  };
  return [account, role, binding, source, deployment];
}
