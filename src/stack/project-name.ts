// The project name without loading the whole stack: -p, else `name:` in mkdev.yaml, else the directory.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_FILE_NAME, type ProjectRef, sanitizeProjectName } from './load-stack.ts';

export function projectNameFor(ref: ProjectRef, cwd: string): string {
  if (ref.project) return sanitizeProjectName(ref.project);
  const file = resolve(cwd, ref.file ?? PROJECT_FILE_NAME);
  if (existsSync(file)) {
    try {
      const name = (parse(readFileSync(file, 'utf8')) as { name?: unknown } | null)?.name;
      if (typeof name === 'string') return sanitizeProjectName(name);
    } catch {
      // An unparsable file still has a directory: fall through to its name.
    }
  }
  return sanitizeProjectName(basename(ref.file ? dirname(file) : cwd));
}
