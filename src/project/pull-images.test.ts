// `mkdev pull` on the fake engine: what it pulls, how it reports, how it fails.
import { describe, expect, it } from 'vitest';
import { stackOf } from '../../test/support/stack-of.ts';
import { FakeEngine } from '../engine/fake-engine.ts';
import type { UserError } from '../errors.ts';
import type { StackEvent } from '../plan/events.ts';
import { imagesToPull, pullImages } from './pull-images.ts';

const stack = stackOf('shop', {
  db: { image: 'postgres:17' },
  replica: { image: 'postgres:17' },
  api: { build: { context: 'api', args: { BUILD_IMAGE: 'golang:1.24', BASE_IMAGE: 'debian:trixie' } } },
});

function pull(fake: FakeEngine, services: readonly string[] = []) {
  const events: StackEvent[] = [];
  const done = pullImages(fake, imagesToPull(stack, services), {
    signal: AbortSignal.timeout(5000),
    onEvent: (e) => events.push(e),
  });
  return { done, events };
}

describe('pullImages on the fake engine', () => {
  it("pulls the services' images and the built service's bases, each once, even those already here", async () => {
    const fake = new FakeEngine({
      images: ['debian:trixie'],
      registry: ['postgres:17', 'golang:1.24', 'debian:trixie'],
    });
    const { done, events } = pull(fake);
    const pulled = await done;
    expect(fake.log((c) => c.method === 'pull').sort()).toEqual([
      'pull debian:trixie',
      'pull golang:1.24',
      'pull postgres:17',
    ]);
    expect(pulled.map((p) => [p.image, p.services])).toEqual([
      ['postgres:17', ['db', 'replica']],
      ['golang:1.24', ['api']],
      ['debian:trixie', ['api']],
    ]);
    // Each service's line completes once, after all its images: api's after both bases.
    const completed = events.filter((e) => e.step === 'completed');
    expect(completed.map((e) => e.service).sort()).toEqual(['api', 'db', 'replica']);
    expect(events.filter((e) => e.service === 'api').at(-1)?.step).toBe('completed');
    expect(events.find((e) => e.service === 'replica' && e.pull)?.pull?.image).toBe('postgres:17');
    expect(completed.find((e) => e.service === 'db')?.message).toBe(
      'pulled postgres:17 (3/3 layers, 5.0 MB of 5.0 MB)',
    );
  });

  it('pulls only what the services named need', async () => {
    const fake = new FakeEngine({ registry: ['postgres:17', 'golang:1.24', 'debian:trixie'] });
    await pull(fake, ['db']).done;
    expect(fake.log((c) => c.method === 'pull')).toEqual(['pull postgres:17']);
  });

  it('pulls the others when one fails, then fails naming the image and its registry', async () => {
    const fake = new FakeEngine({ registry: ['postgres:17', 'debian:trixie'] });
    const { done, events } = pull(fake);
    const error = (await done.then(
      () => undefined,
      (e: unknown) => e,
    )) as UserError;
    expect(error.message).toMatch(/^cannot pull image golang:1\.24 from docker\.io: pull access denied/);
    expect(fake.images.has('postgres:17') && fake.images.has('debian:trixie')).toBe(true);
    expect(events.find((e) => e.step === 'failed')?.service).toBe('api');
  });

  it('names every image that failed in one error', async () => {
    const fake = new FakeEngine({ registry: ['debian:trixie'] });
    const error = (await pull(fake).done.then(
      () => undefined,
      (e: unknown) => e,
    )) as UserError;
    expect(error.message).toBe('2 of 3 images could not be pulled:');
    expect(error.details).toContain('cannot pull image postgres:17 from docker.io');
    expect(error.details).toContain('cannot pull image golang:1.24 from docker.io');
  });
});
