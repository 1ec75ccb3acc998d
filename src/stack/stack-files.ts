// Where a project's stack comes from, found without reading it: the default stack mkdev ships, and the
// project's own file. Kept apart from load-stack.ts, which pulls in the YAML parser and the schema.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { packagePath } from '../package-root.ts';

export const DEFAULT_STACK_FILE = packagePath('stacks', 'microkubes.yaml');
export const PROJECT_FILE_NAME = 'mkdev.yaml';

/** Which project, as the common flags (-p, -f, --images) name it. */
export interface ProjectRef {
  readonly project?: string;
  /** The project's config file; default: mkdev.yaml in cwd when it exists. */
  readonly file?: string;
  /** An image map file (--images); MKDEV_IMAGES is read when this is absent. */
  readonly images?: string;
}

/** -f's file, else mkdev.yaml in cwd when there is one, else none (the default stack alone). */
export function projectFileOf(ref: ProjectRef, cwd: string): string | undefined {
  if (ref.file) return resolve(cwd, ref.file);
  const inCwd = resolve(cwd, PROJECT_FILE_NAME);
  return existsSync(inCwd) ? inCwd : undefined;
}

/** A project's name as mkdev uses it (in container, network and volume names): lower case, [a-z0-9-]. */
export function sanitizeProjectName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'default' : cleaned.slice(0, 40);
}
