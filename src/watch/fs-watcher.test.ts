// The real watcher (fs.watch) and real time through the watch loop, on the fake engine: an edit made
// the moment the loop says it is watching is seen (the baseline was read and the watchers set up
// before). The service has no container, so the change's sync fails, which reports it all the same.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fakeProject } from '../../test/support/fake-project.ts';
import type { ServiceSpec } from '../stack/model.ts';
import type { ChangeReport } from './apply-batch.ts';
import { watchLoop } from './watch-loop.ts';

it('an edit made as soon as watching is said is seen', async () => {
  const p = fakeProject('watchready');
  mkdirSync(join(p.dir, 'src'));
  writeFileSync(join(p.dir, 'src', 'a.txt'), 'before\n');
  const stack = p.stack({
    web: {
      image: 'mkdev-test-absent/web:1',
      develop: { watch: [{ path: 'src', action: 'sync', target: '/app' }] },
    },
  });
  const stop = new AbortController();
  let reported: (report: ChangeReport) => void = () => {};
  const report = new Promise<ChangeReport>((resolve) => {
    reported = resolve;
  });
  const watching = watchLoop({
    stack,
    engine: p.engine,
    host: '127.0.0.1',
    signal: stop.signal,
    services: [stack.services.web as ServiceSpec],
    onChange: reported,
    onError: (error) => {
      throw error;
    },
    onWatching: () => writeFileSync(join(p.dir, 'src', 'a.txt'), 'after\n'),
  });
  try {
    expect(await report).toMatchObject({
      service: 'web',
      files: ['src/a.txt'],
      ok: false,
      error: "no container of web to sync into: run 'mkdev up web'",
    });
  } finally {
    stop.abort();
    await watching;
  }
}, 10_000);
