import { describe, expect, it } from 'vitest';
import { UpstreamFailedError } from '../errors.ts';
import { Milestones } from './milestones.ts';

describe('Milestones', () => {
  it('resolves a wait once the milestone is reached', async () => {
    const ms = new Milestones(['db']);
    const waiting = ms.wait('db', 'ready', new AbortController().signal);
    ms.of('db').ready.resolve();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('rejects every wait on a service that failed', async () => {
    const ms = new Milestones(['db']);
    const waiting = ms.wait('db', 'started', new AbortController().signal);
    ms.fail('db');
    await expect(waiting).rejects.toBeInstanceOf(UpstreamFailedError);
  });

  it('stops waiting as soon as the signal aborts, though the milestone never comes', async () => {
    const ms = new Milestones(['db']);
    const controller = new AbortController();
    const waiting = ms.wait('db', 'ready', controller.signal);
    controller.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
    await expect(ms.wait('db', 'ready', controller.signal)).rejects.toThrow('interrupted');
  });
});
