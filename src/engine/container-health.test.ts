// A crash loop is counted per wait: a long-lived process (`mkdev ui`, `mkdev watch`) waits on the same
// container many times, and restarts healed before a wait must not count toward that wait's threshold.
import { describe, expect, it } from 'vitest';
import { stackOf } from '../../test/support/stack-of.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { CRASH_LOOP_RESTARTS, deathWatch } from './container-health.ts';
import { FakeEngine } from './fake-engine.ts';

const IMAGE = 'example/api:1';

async function runningContainer() {
  const fake = new FakeEngine({ images: [IMAGE] });
  const engine = fake.project('health');
  const spec = stackOf('health', { api: { image: IMAGE, restart: 'unless-stopped' } }).services
    .api as ServiceSpec;
  await engine.ensureNetwork();
  const ref = await engine.create(spec, { replica: 1, configHash: 'h' });
  await engine.start(ref);
  const container = fake.containers.get(ref.id);
  if (!container) throw new Error('the fake lost its container');
  return { engine, ref, container };
}

describe('deathWatch', () => {
  it('reports a crash loop once the container restarted CRASH_LOOP_RESTARTS times during the wait', async () => {
    const { engine, ref, container } = await runningContainer();
    const whyDead = deathWatch(engine, ref);
    expect(await whyDead()).toBeUndefined();
    container.restartCount += CRASH_LOOP_RESTARTS - 1;
    expect(await whyDead()).toBeUndefined();
    container.restartCount += 1;
    expect(await whyDead()).toMatch(/keeps exiting \(restarted 3 times while waiting\)/);
  });

  it('does not count restarts from before the wait: a later wait on the same container starts at zero', async () => {
    const { engine, ref, container } = await runningContainer();
    const first = deathWatch(engine, ref);
    await first();
    container.restartCount += CRASH_LOOP_RESTARTS; // crashed three times, then healed
    expect(await first()).toMatch(/keeps exiting/);
    const later = deathWatch(engine, ref);
    expect(await later()).toBeUndefined();
    container.restartCount += 1;
    expect(await later()).toBeUndefined();
  });

  it('names an exited or removed container', async () => {
    const { engine, ref, container } = await runningContainer();
    const whyDead = deathWatch(engine, ref);
    container.state = 'exited';
    container.exitCode = 3;
    expect(await whyDead()).toBe('the container exited with code 3');
    await engine.remove(ref);
    expect(await whyDead()).toBe('the container was removed');
  });
});
