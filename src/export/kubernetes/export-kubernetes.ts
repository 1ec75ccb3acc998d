// `mkdev export kubernetes` as a function: the stack as loadStack resolves it, written as manifests
// into a directory, after building and pushing the built services' images when asked.
import { type LoadStackOptions, loadStack } from '../../stack/load-stack.ts';
import type { Stack } from '../../stack/model.ts';
import { buildAndPush, checkRegistry, type Progress } from './images.ts';
import { type KubernetesManifests, type KubernetesOptions, stackToKubernetes } from './manifests.ts';
import { writeManifests } from './render.ts';

export interface ExportKubernetesOptions extends LoadStackOptions, KubernetesOptions {
  /** The directory to write (created when missing). */
  readonly output: string;
  readonly build?: boolean;
  readonly push?: boolean;
  readonly progress?: Progress;
}

export interface KubernetesExport extends KubernetesManifests {
  readonly stack: Stack;
  readonly written: readonly string[];
}

function headerFor(stack: Stack, namespace: string): string[] {
  return [
    `The mkdev project '${stack.project}' in the namespace '${namespace}'. Apply all: kubectl apply -k <this directory>`,
    'secrets.yaml holds the generated credentials: keep this directory out of version control.',
  ];
}

export async function exportKubernetes(options: ExportKubernetesOptions): Promise<KubernetesExport> {
  const stack = await loadStack(options);
  const registry = options.registry === undefined ? undefined : checkRegistry(options.registry);
  const manifests = stackToKubernetes(stack, {
    ...options,
    ...(registry === undefined ? {} : { registry }),
  });
  if (options.build || options.push) {
    const { openEngine } = await import('../../engine/docker-connection.ts');
    await buildAndPush(manifests.images, {
      push: options.push === true,
      progress: options.progress ?? (() => undefined),
      engine: (await openEngine()).project(stack.project),
    });
  }
  const written = writeManifests(options.output, manifests.files, headerFor(stack, manifests.namespace));
  return { ...manifests, stack, written };
}
