// Every relative link in the documentation leads to a file of the repository (and to a heading of it,
// when it names one), and none points at a path that exists only on the machine it was written on.
// No engine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchorsOf, isAbsolutePath, isExternal, linksOf, slugOf } from './markdown-links.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.cache', '.git']);

function markdownUnder(dir: string, only?: (name: string) => boolean): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownUnder(path, only);
    return entry.name.endsWith('.md') && (only?.(entry.name) ?? true) ? [path] : [];
  });
}

const DOCS = [
  'README.md',
  'ARCHITECTURE.md',
  'CONTRIBUTING.md',
  'bench/RESULTS.md',
  'images/README.md',
  ...markdownUnder('docs'),
  ...markdownUnder('templates', (name) => name === 'README.md'),
  ...markdownUnder('test/stand-ins'),
];

/** What is wrong with one link of `file` (a path relative to the repository), or undefined. */
function brokenLink(file: string, target: string): string | undefined {
  if (isAbsolutePath(target)) return 'an absolute path: link to a file of the repository, relatively';
  if (isExternal(target)) return undefined;
  const [pathPart = '', anchor] = target.split('#', 2);
  const path =
    pathPart === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), decodeURIComponent(pathPart));
  if (relative(ROOT, path).split(sep)[0] === '..') return 'leaves the repository';
  if (!existsSync(path)) return `no such file: ${relative(ROOT, path)}`;
  if (anchor && path.endsWith('.md') && !anchorsOf(readFileSync(path, 'utf8')).has(anchor)) {
    return `no heading #${anchor} in ${relative(ROOT, path)}`;
  }
  return undefined;
}

describe('links in the documentation', () => {
  it("covers the overview, the contributors' guides, docs/, the templates and the stand-ins", () => {
    for (const file of ['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md'])
      expect(existsSync(join(ROOT, file))).toBe(true);
    expect(DOCS.filter((f) => f.startsWith(`docs${sep}commands`)).length).toBeGreaterThan(10);
    expect(DOCS).toContain(join('test', 'stand-ins', 'kong', 'PARITY.md'));
    expect(DOCS).toContain(join('templates', 'ts', 'README.md'));
  });

  it('resolve inside the repository (file and heading), and none is an absolute path', () => {
    const broken = DOCS.filter((file) => existsSync(join(ROOT, file))).flatMap((file) =>
      linksOf(readFileSync(join(ROOT, file), 'utf8')).flatMap(({ line, target }) => {
        const problem = brokenLink(file, target);
        return problem ? [`${file}:${line}: (${target}) ${problem}`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });
});

describe('reading markdown', () => {
  it('finds inline links, images and definitions, not those in code', () => {
    const text = [
      'See [a](docs/a.md#x) and ![b](b.png "title") and [web](https://example.com).',
      '`[not](a-link.md)` is code.',
      '```md',
      '[inside](a-fence.md)',
      '```',
      '[ref]: ../c.md',
    ].join('\n');
    expect(linksOf(text)).toEqual([
      { line: 1, target: 'docs/a.md#x' },
      { line: 1, target: 'b.png' },
      { line: 1, target: 'https://example.com' },
      { line: 6, target: '../c.md' },
    ]);
  });

  it("gives headings GitHub's anchors, repeats numbered, headings in code left out", () => {
    expect(slugOf('The daily loop: `mkdev watch` and `mkdev run`')).toBe(
      'the-daily-loop-mkdev-watch-and-mkdev-run',
    );
    expect(slugOf('Results (median, min – max)')).toBe('results-median-min--max');
    expect(slugOf('Known differences from real Kong 3.9')).toBe('known-differences-from-real-kong-39');
    expect(slugOf('See [PARITY](PARITY.md) first')).toBe('see-parity-first');
    const anchors = anchorsOf('# Notes\n## Notes\n```\n# not a heading\n```\n<a id="here"></a>\n');
    expect([...anchors]).toEqual(['notes', 'notes-1', 'here']);
  });

  it('tells absolute paths and other sites from relative links', () => {
    expect(['/work/shared/x.md', '~/x.md', 'file:///x.md', 'C:\\x.md'].map(isAbsolutePath)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(isAbsolutePath('docs/x.md')).toBe(false);
    expect(['https://a.b', 'mailto:a@b.c'].map(isExternal)).toEqual([true, true]);
    expect(isExternal('docs/x.md')).toBe(false);
  });
});
