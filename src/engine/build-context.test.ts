import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextFiles, contextHash } from './build-context.ts';

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-context-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('the build context', () => {
  it('leaves out .git, node_modules, .mkdev and dist, always', () => {
    const dir = context({
      Dockerfile: 'FROM x',
      'src/a.ts': '',
      '.git/HEAD': '',
      'node_modules/x/index.js': '',
      '.mkdev/secrets.json': '',
      'dist/a.js': '',
    });
    expect(contextFiles(dir)).toEqual(['Dockerfile', 'src/a.ts']);
  });

  it('follows .dockerignore: globs, directories, ** and comments; exceptions (!) are not supported', () => {
    const dir = context({
      '.dockerignore': '# build output\n*.log\n/build/\ndocs/**/*.md\n!keep.log\n\n',
      Dockerfile: 'FROM x',
      'app.log': '',
      'keep.log': '',
      'build/out.bin': '',
      'docs/a/b/c.md': '',
      'docs/a/b/c.txt': '',
      'src/app.log.ts': '',
    });
    expect(contextFiles(dir)).toEqual(['.dockerignore', 'Dockerfile', 'docs/a/b/c.txt', 'src/app.log.ts']);
  });

  it('hashes what goes into the build: contents and args, not ignored files', () => {
    const dir = context({ '.dockerignore': '*.log\n', Dockerfile: 'FROM x', 'app.ts': 'v1' });
    const before = contextHash(dir);
    writeFileSync(join(dir, 'debug.log'), 'noise');
    expect(contextHash(dir)).toBe(before);
    expect(contextHash(dir, { BASE_IMAGE: 'node:24' })).not.toBe(before);
    writeFileSync(join(dir, 'app.ts'), 'v2');
    expect(contextHash(dir)).not.toBe(before);
  });
});
