// Which changed files `mkdev watch` ignores: gitignore-style patterns (a rule's `ignore`/`include`,
// the project's .gitignore files), dependency and cache directories, and editors' swap files.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export type PathTest = (relPath: string) => boolean;

/** Directories whose contents never trigger anything: installed dependencies, caches, mkdev's own state. */
const IGNORED_DIRS = new Set(['node_modules', '__pycache__', '.git', '.mkdev', '.venv', '.pytest_cache']);

/** Editors' temporary files: vim (.swp, 4913, ~), emacs (.#x, #x#), JetBrains' safe write. */
const SWAP_FILE = /(?:\.sw[a-px]|~|___jb_(?:tmp|old)___)$|^\.#|^#.*#$|^4913$/;

function globToRegExp(glob: string): string {
  return glob
    .split('**')
    .map((part) =>
      part
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]'),
    )
    .join('.*');
}

/**
 * One gitignore pattern as a test on a path relative to the pattern's base. A pattern with a slash
 * (other than a trailing one) is anchored to the base; otherwise it matches any segment, and a
 * matching directory covers everything below it. A trailing slash matches directories only.
 */
export function compilePattern(pattern: string): PathTest {
  const dirOnly = pattern.endsWith('/');
  const body = pattern.replace(/^\/+|\/+$/g, '');
  const anchored = pattern.replace(/\/+$/, '').includes('/');
  const re = new RegExp(`^${globToRegExp(body)}$`);
  return (relPath) => {
    const segments = relPath.split('/');
    if (anchored) {
      // The pattern matches a prefix of the path: the path itself (a file) or a directory above it.
      for (let n = segments.length - (dirOnly ? 1 : 0); n >= 1; n--) {
        if (re.test(segments.slice(0, n).join('/'))) return true;
      }
      return false;
    }
    const candidates = dirOnly ? segments.slice(0, -1) : segments;
    return candidates.some((segment) => re.test(segment));
  };
}

export function anyOf(patterns: readonly string[]): PathTest {
  const tests = patterns
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('#') && !p.startsWith('!'))
    .map(compilePattern);
  return (relPath) => tests.some((t) => t(relPath));
}

/** True for paths no watch rule should ever see (relative, with '/' separators). */
export function alwaysIgnored(relPath: string): boolean {
  const segments = relPath.split('/');
  const base = segments[segments.length - 1] ?? '';
  return (
    segments.slice(0, -1).some((s) => IGNORED_DIRS.has(s)) || IGNORED_DIRS.has(base) || SWAP_FILE.test(base)
  );
}

/**
 * The .gitignore files that apply to `path`: in the project directory and every directory between it
 * and `path`, each pattern relative to its own file's directory (nested ones are read once).
 */
export function gitignoreTest(projectDir: string, path: string): (absPath: string) => boolean {
  const tests: { base: string; test: PathTest }[] = [];
  let dir = relative(projectDir, path).startsWith('..') ? dirname(path) : path;
  const dirs: string[] = [];
  for (;;) {
    dirs.push(dir);
    if (dir === projectDir || !dir.startsWith(projectDir) || dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  for (const base of dirs) {
    const file = join(base, '.gitignore');
    if (existsSync(file)) tests.push({ base, test: anyOf(readFileSync(file, 'utf8').split(/\r?\n/)) });
  }
  return (absPath) =>
    tests.some(({ base, test }) => {
      const rel = relative(base, absPath);
      return !rel.startsWith('..') && test(toPosix(rel));
    });
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
