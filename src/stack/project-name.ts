// The project name without loading the whole stack: -p, else `name:` in mkdev.yaml, else the directory.
// With a mkdev.yaml, the name comes from the cached stack (stack-cache.ts) while nothing it was loaded
// from changed, so the commands that ask (up, down, watch) import no YAML parser; yaml is imported only
// when there is a file and no such cache entry.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { cachedProjectName } from './stack-cache.ts';
import { PROJECT_FILE_NAME, type ProjectRef, sanitizeProjectName } from './stack-files.ts';

export async function projectNameFor(ref: ProjectRef, cwd: string): Promise<string> {
  if (ref.project) return sanitizeProjectName(ref.project);
  const file = resolve(cwd, ref.file ?? PROJECT_FILE_NAME);
  if (existsSync(file)) {
    const cached = cachedProjectName({ ...ref, cwd });
    if (cached !== undefined) return cached;
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
