import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alwaysIgnored, anyOf, compilePattern, gitignoreTest } from './path-filter.ts';

describe('watch path filters', () => {
  it('matches gitignore patterns: unanchored by segment, anchored by prefix, dir-only', () => {
    expect(compilePattern('*.py')('app.py')).toBe(true);
    expect(compilePattern('*.py')('pkg/app.py')).toBe(true);
    expect(compilePattern('*.py')('requirements.txt')).toBe(false);
    expect(compilePattern('tests/')('tests/test_app.py')).toBe(true);
    expect(compilePattern('tests/')('tests')).toBe(false);
    expect(compilePattern('/build')('build/x.js')).toBe(true);
    expect(compilePattern('/build')('src/build/x.js')).toBe(false);
    expect(compilePattern('src/**/*.gen.ts')('src/a/b/x.gen.ts')).toBe(true);
    expect(anyOf(['# comment', '', '!keep', 'dist'])('dist/a.js')).toBe(true);
    expect(anyOf(['!keep'])('keep')).toBe(false);
  });

  it('always ignores dependencies, caches, mkdev state and swap files', () => {
    for (const p of [
      'node_modules/x/index.js',
      'a/__pycache__/m.pyc',
      '.mkdev/secrets.json',
      'src/.x.ts.swp',
      'src/x.ts~',
      'src/4913',
      'src/.#x.ts',
      'src/#x.ts#',
      'src/x.ts___jb_tmp___',
    ]) {
      expect(alwaysIgnored(p), p).toBe(true);
    }
    expect(alwaysIgnored('src/http-server.ts')).toBe(false);
  });

  it('reads .gitignore files from the project directory down to the watched path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-pf-'));
    mkdirSync(join(dir, 'services/orders/src'), { recursive: true });
    writeFileSync(join(dir, '.gitignore'), 'coverage/\n');
    writeFileSync(join(dir, 'services/orders/.gitignore'), '*.log\n');
    const ignored = gitignoreTest(dir, join(dir, 'services/orders/src'));
    expect(ignored(join(dir, 'services/orders/src/coverage/x.json'))).toBe(true);
    expect(ignored(join(dir, 'services/orders/src/debug.log'))).toBe(true);
    expect(ignored(join(dir, 'services/orders/src/main.ts'))).toBe(false);
  });
});
