// `mkdev watch` says it is watching only once an edit is seen: a file written the moment it says so
// makes a change (the baseline was read and the watchers set up before). The service has no container,
// so the change's sync fails, which reports it all the same.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { eventually } from '../../test/support/cli.ts';
import { openEngine } from '../engine/docker-connection.ts';
import { loadStack } from '../stack/load-stack.ts';
import type { ChangeReport } from './apply-batch.ts';
import { readSyncedState } from './synced-state.ts';
import { watchServices } from './watch-session.ts';

it('an edit made as soon as watching is said is seen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-watch-ready-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.txt'), 'before\n');
  writeFileSync(
    join(dir, 'mkdev.yaml'),
    'extends: none\nservices:\n  web:\n    image: mkdev-test-absent/web:1\n    develop:\n      watch:\n        - { path: src, action: sync, target: /app }\n',
  );
  const stack = await loadStack({ cwd: dir, env: {}, project: `watchready-${process.pid}` });
  const reports: ChangeReport[] = [];
  const stop = new AbortController();
  const watching = watchServices([stack.services.web as NonNullable<typeof stack.services.web>], {
    stack,
    engine: (await openEngine()).project(stack.project),
    host: '127.0.0.1',
    signal: stop.signal,
    state: readSyncedState(stack),
    onChange: (report) => reports.push(report),
    onWatching: () => writeFileSync(join(dir, 'src', 'a.txt'), 'after\n'),
  });
  try {
    const report = await eventually(async () => reports[0], 10_000, 'the change to be reported');
    expect(report).toMatchObject({ service: 'web', files: ['src/a.txt'] });
  } finally {
    stop.abort();
    await watching;
  }
});
