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
import { packagePath } from '../../package-root.ts';
import type { ServiceSpec } from '../../stack/model.ts';
import { endpointPort } from '../../stack/roles.ts';
import { type ExportContext, type K8sObject, metadataFor, selectorFor } from './objects.ts';

const REGISTRATOR_DIR = packagePath('stacks', 'registrator');
const REGISTRATOR_FILES = ['registration.ts', 'pod-events.ts', 'pod-watch.ts', 'kubernetes.ts'] as const;
const SOURCE_MOUNT = '/opt/mkdev-source';
const APP_DIR = '/opt/mkdev';

/** The stack's registrator (`role: registrator`). */
export const isRegistrator = (s: ServiceSpec): boolean => s.role === 'registrator';

function clientNodeVersion(): string {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@kubernetes/client-node/package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** `discovery`: the service it registers in, when the registrator's own CONSUL_URL does not say. */
export function registratorObjects(ctx: ExportContext, s: ServiceSpec, discovery = 'consul'): K8sObject[] {
  return [...rbacFor(ctx, s), sourceConfigMap(ctx, s), deploymentFor(ctx, s, discovery)];
}

/** A ServiceAccount that may get, list and watch pods in its namespace, and nothing else. */
function rbacFor(ctx: ExportContext, s: ServiceSpec): [IServiceAccount, IRole, IRoleBinding] {
  const metadata = metadataFor(ctx, s.name, s.name);
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: s.name },
      subjects: [{ kind: 'ServiceAccount', name: s.name, namespace: ctx.namespace }],
    },
  ];
}

function sourceConfigMap(ctx: ExportContext, s: ServiceSpec): IConfigMap {
  const packageJson = {
    name: 'mkdev-registrator',
    private: true,
    type: 'module',
    dependencies: { '@kubernetes/client-node': clientNodeVersion() },
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadataFor(ctx, `${s.name}-source`, s.name),
    data: {
      'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
      ...Object.fromEntries(
        REGISTRATOR_FILES.map((f) => [f, readFileSync(join(REGISTRATOR_DIR, f), 'utf8')]),
      ),
    },
  };
}

function deploymentFor(ctx: ExportContext, s: ServiceSpec, discovery: string): IDeployment {
  const metadata = metadataFor(ctx, s.name, s.name);
  const install = `cp ${SOURCE_MOUNT}/* ${APP_DIR}/ && npm install --omit=dev --ignore-scripts --no-audit --no-fund --cache /tmp/npm`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      // One watcher: two would race each other's registrations.
      replicas: 1,
      selector: { matchLabels: selectorFor(s.name) },
      template: {
        metadata: { labels: metadata.labels },
        spec: {
          serviceAccountName: s.name,
          initContainers: [
            {
              name: 'install',
              image: s.image,
              workingDir: APP_DIR,
              command: ['sh', '-c', install],
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
                {
                  name: 'CONSUL_URL',
                  value: s.env.CONSUL_URL ?? `http://${discovery}:${endpointPort('discovery', 'http')}`,
                },
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
}
