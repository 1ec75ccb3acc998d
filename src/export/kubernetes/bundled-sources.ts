// mkdev's own programs that the stack runs from the package's files, mounted read-only on Docker (the
// trace receiver, stacks/traces): in the cluster their files travel in a ConfigMap `<service>-source`
// mounted where the bind mount was, so the stock node image runs them as it does on Docker (Node strips
// the types; they have no dependencies). The registrator, which needs a dependency in Kubernetes mode,
// has its own objects (registrator.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IConfigMap } from 'kubernetes-models/v1';
import { packagePath } from '../../package-root.ts';
import type { ServiceSpec, VolumeMount } from '../../stack/model.ts';
import { type ExportContext, metadataFor } from './objects.ts';

const STACKS_DIR = packagePath('stacks');

export const sourceConfigMapName = (service: string) => `${service}-source`;

/** A read-only bind mount of a directory of mkdev's own stack programs. */
export function isBundledSource(v: VolumeMount): boolean {
  return v.kind === 'bind' && v.readOnly === true && v.source.startsWith(`${STACKS_DIR}/`);
}

/** The ConfigMap with the files of the service's bundled-source mount, if it has one. */
export function bundledSourceConfigMap(ctx: ExportContext, s: ServiceSpec): IConfigMap | undefined {
  const mount = s.volumes.find(isBundledSource);
  if (mount === undefined) return undefined;
  const files = readdirSync(mount.source).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadataFor(ctx, sourceConfigMapName(s.name), s.name),
    data: Object.fromEntries(files.sort().map((f) => [f, readFileSync(join(mount.source, f), 'utf8')])),
  };
}
