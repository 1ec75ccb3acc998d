import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImage } from './resolve-image.ts';

describe('resolveImage', () => {
  let dir: string;
  let map: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mkdev-resolve-image-'));
    map = join(dir, 'images.yaml');
    await writeFile(map, 'images:\n  kong:3.9: mirror.example/kong:3.9\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps an official name through the given map file', async () => {
    expect(await resolveImage('kong:3.9', map)).toBe('mirror.example/kong:3.9');
  });

  it('keeps names the map does not mention', async () => {
    expect(await resolveImage('hashicorp/consul:1.20', map)).toBe('hashicorp/consul:1.20');
  });

  it('reads MKDEV_IMAGES when no file is given, and keeps the name without either', async () => {
    const saved = process.env.MKDEV_IMAGES;
    try {
      process.env.MKDEV_IMAGES = map;
      expect(await resolveImage('kong:3.9')).toBe('mirror.example/kong:3.9');
      delete process.env.MKDEV_IMAGES;
      expect(await resolveImage('kong:3.9')).toBe('kong:3.9');
    } finally {
      if (saved === undefined) delete process.env.MKDEV_IMAGES;
      else process.env.MKDEV_IMAGES = saved;
    }
  });

  it('refuses a map file without an images: mapping', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'kong:3.9: elsewhere\n');
    await expect(resolveImage('kong:3.9', bad)).rejects.toThrow(/images:/);
  });
});
