import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listContextFiles, recipeHash } from './recipe-hash.ts';

describe('recipeHash', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'recipe-hash-'));
    await mkdir(path.join(dir, 'dist'));
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY dist/app.mjs /app.mjs\n');
    await writeFile(path.join(dir, 'dist/app.mjs'), 'console.log(1)\n');
    await writeFile(path.join(dir, 'PARITY.md'), '# parity\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('changes with any file when the context has no .dockerignore', async () => {
    const before = await recipeHash(dir, []);
    await writeFile(path.join(dir, 'PARITY.md'), '# parity, one more line\n');
    expect(await recipeHash(dir, [])).not.toBe(before);
  });

  it('ignores what .dockerignore keeps out of the build, and nothing else', async () => {
    await writeFile(path.join(dir, '.dockerignore'), '*\n!dist/app.mjs\n');
    expect(await listContextFiles(dir)).toEqual(['.dockerignore', 'Dockerfile', 'dist/app.mjs']);
    const before = await recipeHash(dir, []);
    await writeFile(path.join(dir, 'PARITY.md'), '# parity, one more line\n');
    expect(await recipeHash(dir, [])).toBe(before);
    await writeFile(path.join(dir, 'dist/app.mjs'), 'console.log(2)\n');
    const afterCode = await recipeHash(dir, []);
    expect(afterCode).not.toBe(before);
    // The Dockerfile is always sent, even when a rule excludes it, as Docker does.
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY dist/app.mjs /srv/app.mjs\n');
    expect(await recipeHash(dir, [])).not.toBe(afterCode);
  });
});
