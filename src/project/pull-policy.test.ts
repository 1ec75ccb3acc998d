// `up --pull missing|always|never` on the fake engine: what is pulled, what preflight refuses, and that
// a refused plan creates nothing.
import { describe, expect, it } from 'vitest';
import { fakeProject } from '../../test/support/fake-project.ts';
import type { UserError } from '../errors.ts';
import type { ServiceFile } from '../stack/schema.ts';

const CACHE = 'example/cache:7';
const BASE = 'example/golang:1';

const stack = (): Record<string, ServiceFile> => ({
  cache: { image: CACHE },
  api: { build: { context: 'app', args: { BUILD_IMAGE: BASE } }, image: 'shop/api:dev' },
});

function project(local: readonly string[]) {
  const p = fakeProject('pulls', local);
  for (const image of [CACHE, BASE]) p.fake.registry.add(image);
  return p;
}

const pulls = (log: readonly string[]) => log.filter((l) => l.startsWith('pull '));
const created = (log: readonly string[]) =>
  log.filter((l) => /^(ensureNetwork|ensureVolume|create) /.test(l));

describe('up --pull on the fake engine', () => {
  it('missing (the default): pulls what the engine lacks, with progress in numbers, and then nothing', async () => {
    const p = project([BASE]);
    await p.up(p.stack(stack()));
    expect(pulls(p.fake.log())).toEqual([`pull ${CACHE}`]);
    const progress = p.events.filter((e) => e.step === 'pull' && e.pull !== undefined);
    expect(progress.at(-1)?.pull).toEqual({
      image: CACHE,
      layers: { done: 3, total: 3 },
      bytes: { current: 5_000_000, total: 5_000_000 },
    });
    expect(p.events.find((e) => e.step === 'image-ready' && e.service === 'cache')?.message).toBe(
      `pulled ${CACHE} (3/3 layers, 5.0 MB of 5.0 MB)`,
    );
    const again = p.since();
    await p.up(p.stack(stack()));
    expect(pulls(again())).toEqual([]);
  });

  it('always: pulls a pulled image even when present, never a built one or its base', async () => {
    const p = project([CACHE, BASE]);
    await p.up(p.stack(stack()));
    const again = p.since();
    await p.up(p.stack(stack()), { pull: 'always' });
    expect(pulls(again())).toEqual([`pull ${CACHE}`]);
  });

  it('always: an image present here that its registry no longer has fails before anything is created', async () => {
    const p = project([CACHE, BASE]);
    p.fake.registry.delete(CACHE);
    const up = p.up(p.stack(stack()), { pull: 'always' });
    await expect(up).rejects.toThrow(
      `cache: image: image ${CACHE} is present but cannot be pulled from docker.io: pull access denied`,
    );
    expect(created(p.fake.log())).toEqual([]);
  });

  it('never: an image that is missing fails in preflight naming it; nothing is pulled or created', async () => {
    const p = project([]);
    const up = p.up(p.stack(stack()), { pull: 'never' });
    await expect(up).rejects.toThrow('2 problems found before starting anything (nothing was created)');
    const error = (await up.then(
      () => undefined,
      (e: unknown) => e,
    )) as UserError;
    expect(error.details).toContain(
      `cache: image: image ${CACHE} is not present, and --pull never forbids pulling it`,
    );
    expect(error.details).toContain(
      `api: build.args.BUILD_IMAGE: image ${BASE} is not present, and --pull never forbids pulling it`,
    );
    expect(error.details).toContain("run 'mkdev pull' first");
    expect(pulls(p.fake.log())).toEqual([]);
    expect(created(p.fake.log())).toEqual([]);
  });

  it('never: with every image present, comes up without asking any registry', async () => {
    const p = project([CACHE, BASE]);
    p.fake.registry.clear();
    const result = await p.up(p.stack(stack()), { pull: 'never' });
    expect(pulls(p.fake.log())).toEqual([]);
    expect(result.observed.containers.map((c) => `${c.name} ${c.state}`)).toEqual([
      'pulls-api-1 running',
      'pulls-cache-1 running',
    ]);
  });
});
