// The project name without loading the whole stack: -p, else `name:` in mkdev.yaml, else the directory.
// yaml is imported only when there is a file to read: the commands that ask (up, down, watch) answer
// from the cached stack (stack-cache.ts) and need no YAML parser when nothing changed.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { PROJECT_FILE_NAME, type ProjectRef } from './stack-files.ts';

export function sanitizeProjectName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'default' : cleaned.slice(0, 40);
}

export async function projectNameFor(ref: ProjectRef, cwd: string): Promise<string> {
  if (ref.project) return sanitizeProjectName(ref.project);
  const file = resolve(cwd, ref.file ?? PROJECT_FILE_NAME);
  if (existsSync(file)) {
    try {
      const yaml = await import('yaml');
      // Bundled into the CLI, the package is CommonJS: its functions are on the default export.
      const { parse } = 'parse' in yaml ? yaml : (yaml as unknown as { default: typeof yaml }).default;
      const name = (parse(readFileSync(file, 'utf8')) as { name?: unknown } | null)?.name;
      if (typeof name === 'string') return sanitizeProjectName(name);
    } catch {
      // An unparsable file still has a directory: fall through to its name.
    }
  }
  return sanitizeProjectName(basename(ref.file ? dirname(file) : cwd));
}
