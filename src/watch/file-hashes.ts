// Content hashes of watched files: an event whose file reads the same as last time (a touch, an
// editor's second write, a checkout back and forth) changes nothing and triggers nothing.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { alwaysIgnored } from './path-filter.ts';

/** The file's content hash, or undefined when it is gone or is not a regular file. */
export function hashFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
  } catch {
    return undefined;
  }
}

/** Every file under `path` (or `path` itself), skipping what watch always ignores. */
export function filesUnder(path: string): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return [];
  }
  if (stat.isFile()) return [path];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (alwaysIgnored(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  walk(path);
  return files;
}

export function snapshot(paths: readonly string[]): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const file of paths.flatMap(filesUnder)) {
    const hash = hashFile(file);
    if (hash !== undefined) hashes.set(file, hash);
  }
  return hashes;
}
