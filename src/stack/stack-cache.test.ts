import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import { loadStack } from './load-stack.ts';
import { cachedProjectName, loadStackCached } from './stack-cache.ts';

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-stack-cache-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const cacheFile = (dir: string) => join(dir, '.mkdev', 'stack-cache.json');

/** Marks every cached entry, so that a load answered from the cache shows it. */
function markCached(dir: string): void {
  const all = JSON.parse(readFileSync(cacheFile(dir), 'utf8')) as Record<string, { stack: object }>;
  for (const entry of Object.values(all)) entry.stack = { ...entry.stack, projectDir: 'from the cache' };
  writeFileSync(cacheFile(dir), JSON.stringify(all));
}

/** A project whose secrets are on file (as after an `up`), so that its stack is kept. */
async function upProject(files: Record<string, string>, env: Record<string, string> = {}) {
  const dir = project(files);
  await loadStack({ cwd: dir, env });
  const first = await loadStackCached({ cwd: dir, env, deferSecrets: true });
  expect(existsSync(cacheFile(dir))).toBe(true);
  markCached(dir);
  return { dir, first };
}

const ORDERS =
  'name: shop\nservices:\n  orders:\n    image: example/orders:1\n    env:\n      LEVEL: ${ORDERS_LEVEL:-info}\n';

describe('loadStackCached', () => {
  it('answers a second load from the cache: the same stack, kept private beside secrets.json', async () => {
    const { dir, first } = await upProject({ 'mkdev.yaml': ORDERS });
    const second = await loadStackCached({ cwd: dir, env: {}, deferSecrets: true });
    expect(second.projectDir).toBe('from the cache');
    expect({ ...second, projectDir: dir, saveSecrets: undefined }).toEqual({
      ...first,
      saveSecrets: undefined,
    });
    expect(statSync(cacheFile(dir)).mode & 0o777).toBe(0o600);
    // Nothing was generated, so nothing is left to save.
    expect(() => second.saveSecrets?.()).not.toThrow();
  });

  it("names the project from a matching entry (mkdev.yaml's name:), and not once the file changed", async () => {
    const { dir } = await upProject({ 'mkdev.yaml': ORDERS });
    expect(cachedProjectName({ cwd: dir, env: {} })).toBe('shop');
    expect(cachedProjectName({ cwd: dir, env: {}, project: 'other' })).toBeUndefined();
    writeFileSync(join(dir, 'mkdev.yaml'), ORDERS.replace('name: shop', 'name: shop2'));
    expect(cachedProjectName({ cwd: dir, env: {} })).toBeUndefined();
  });

  it('loads in full when the project file, .env, an image map or a variable it read changed', async () => {
    const { dir } = await upProject({ 'mkdev.yaml': ORDERS });
    const load = (env: Record<string, string> = {}) => loadStackCached({ cwd: dir, env, deferSecrets: true });

    writeFileSync(join(dir, 'mkdev.yaml'), ORDERS.replace('orders:1', 'orders:2'));
    const edited = await load();
    expect(edited.projectDir).toBe(dir);
    expect(edited.services.orders?.image).toBe('example/orders:2');

    markCached(dir);
    const changedVariable = await load({ ORDERS_LEVEL: 'debug' });
    expect(changedVariable.services.orders?.env.LEVEL).toBe('debug');

    markCached(dir);
    writeFileSync(join(dir, '.env'), 'ORDERS_LEVEL=warn\n');
    expect((await load()).services.orders?.env.LEVEL).toBe('warn');

    writeFileSync(join(dir, 'images.yaml'), 'images:\n  example/orders:2: mirror/orders:2\n');
    markCached(dir);
    const mapped = await load({ MKDEV_IMAGES: 'images.yaml' });
    expect(mapped.services.orders?.image).toBe('mirror/orders:2');
    markCached(dir);
    writeFileSync(join(dir, 'images.yaml'), 'images:\n  example/orders:2: other/orders:2\n');
    expect((await load({ MKDEV_IMAGES: 'images.yaml' })).services.orders?.image).toBe('other/orders:2');
  });

  it('still names file:line for a file that broke after it was cached', async () => {
    const { dir } = await upProject({ 'mkdev.yaml': ORDERS });
    writeFileSync(join(dir, 'mkdev.yaml'), 'name: shop\nservices:\n  orders:\n    image: 42\n');
    const error = await loadStackCached({ cwd: dir, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/mkdev\.yaml:4:/);
  });

  it('keeps nothing while new secrets are unsaved, nor where .mkdev/ does not exist', async () => {
    const fresh = project({ 'mkdev.yaml': ORDERS });
    await loadStackCached({ cwd: fresh, env: {}, deferSecrets: true });
    expect(existsSync(join(fresh, '.mkdev'))).toBe(false);

    const noSecrets = project({
      'mkdev.yaml': 'name: shop\nextends: none\nservices:\n  a:\n    image: a:1\n',
    });
    await loadStackCached({ cwd: noSecrets, env: {} });
    expect(existsSync(join(noSecrets, '.mkdev'))).toBe(false);

    // secrets.json exists, but holds another project's secrets only: this one's are new and unsaved.
    const other = project({ 'mkdev.yaml': ORDERS });
    await loadStack({ cwd: other, env: {}, project: 'other' });
    const stack = await loadStackCached({ cwd: other, env: {}, deferSecrets: true });
    expect(stack.secrets.length).toBeGreaterThan(0);
    expect(existsSync(cacheFile(other))).toBe(false);
  });
});
