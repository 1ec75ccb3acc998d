// The watch loop on fakes, in tilt's style (watchmanager_test.go): the file watcher is told which
// path was touched, the clock is moved on by hand, batches apply through the real apply code on the
// fake engine. Files are real (the loop compares contents); nothing waits on the disk or on time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeProject } from '../../test/support/fake-project.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { applyBatch, type ChangeReport } from './apply-batch.ts';
import { type BatchPlan, planBatch } from './batch-plan.ts';
import { FakeClock } from './fake-clock.ts';
import { FakeWatcher } from './fake-watcher.ts';
import { readSyncedState } from './synced-state.ts';
import { DEBOUNCE_MS, watchLoop } from './watch-loop.ts';

const RULE = {
  path: 'app/src',
  action: 'sync+exec',
  target: '/app/src',
  exec: { command: ['reload'] },
  ignore: ['*.map'],
};

/** Lets the loop's pending promises run (no time passes on the fake clock). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The loop on a two-replica service; `changedBefore`: files written before it starts, to sync at start. */
async function watching(changedBefore: readonly string[] = []) {
  const p = fakeProject('shop');
  writeFileSync(join(p.dir, '.gitignore'), '*.log\n');
  mkdirSync(join(p.dir, 'app', 'src'));
  const stack = p.stack({ api: { build: 'app', replicas: 2, develop: { watch: [RULE] as never } } });
  await p.up(stack);
  const api = stack.services.api as ServiceSpec;
  const initialSync = changedBefore.map((file) => {
    const path = join(p.dir, 'app', file);
    writeFileSync(path, `// ${file} while nobody watched\n`);
    return planBatch(api, [{ path, deleted: false }], p.dir) as BatchPlan;
  });
  const said: string[] = [];
  const watcher = new FakeWatcher();
  const clock = new FakeClock();
  const stop = new AbortController();
  const applied: BatchPlan[] = [];
  const reports: ChangeReport[] = [];
  const errors: Error[] = [];
  const control: { hold?: Promise<void>; throwOnce?: Error } = {};
  const waiters: (() => void)[] = [];
  const notify = () => {
    for (const wake of waiters.splice(0)) wake();
  };
  const ctx = { stack, engine: p.engine, host: '127.0.0.1', signal: stop.signal };
  let saidWatching = () => {};
  const watchingSaid = new Promise<void>((resolve) => {
    saidWatching = resolve;
  });
  const loop = watchLoop({
    stack,
    engine: p.engine,
    host: '127.0.0.1',
    signal: stop.signal,
    services: [api],
    initialSync,
    watcher,
    clock,
    // The real apply step; a test may hold it (to edit while it applies) or make it throw once.
    apply: async (plan) => {
      applied.push(plan);
      if (control.hold) await control.hold;
      const error = control.throwOnce;
      control.throwOnce = undefined;
      if (error) throw error;
      return applyBatch(ctx, plan);
    },
    onChange: (report) => {
      said.push(`change ${report.files.join(' ')}`);
      reports.push(report);
      notify();
    },
    onError: (error) => {
      errors.push(error);
      notify();
    },
    onWatching: () => {
      said.push('watching');
      saidWatching();
    },
  });
  await watchingSaid;
  let edits = 0;
  return {
    ...p,
    stack,
    watcher,
    clock,
    stop,
    loop,
    applied,
    said,
    reports,
    errors,
    control,
    /** Writes a file under app/ (new content each time) and tells the watcher. */
    edit(file: string) {
      const path = join(p.dir, 'app', file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `// ${file} edit ${++edits}\n`);
      watcher.touch(path);
      return path;
    },
    async until(what: () => boolean) {
      while (!what()) await new Promise<void>((wake) => waiters.push(wake));
    },
    /** Which files each replica holds under /app/src. */
    synced: () =>
      [...p.fake.containers.values()].map((c) =>
        [...c.files.keys()].filter((k) => k.startsWith('/app/src/')).sort(),
      ),
  };
}

const filesOf = (plans: readonly BatchPlan[]) => plans.map((plan) => plan.files);

describe('the watch loop, on a fake watcher, clock and engine', () => {
  it('watches the rules, and events within the debounce window become one batch', async () => {
    const w = await watching();
    expect(w.watcher.watching).toEqual([join(w.dir, 'app/src')]);
    w.edit('src/a.ts');
    w.clock.advance(DEBOUNCE_MS - 40);
    w.edit('src/b.ts');
    w.edit('src/a.ts');
    w.clock.advance(DEBOUNCE_MS - 1);
    // Still within the window of the last event: nothing applied yet.
    expect(w.applied).toEqual([]);
    w.clock.advance(1);
    expect(filesOf(w.applied)).toEqual([['src/a.ts', 'src/b.ts']]);
    await w.until(() => w.reports.length === 1);
    expect(w.reports[0]).toMatchObject({ service: 'api', action: 'sync+exec', ok: true });
    expect(w.synced()).toEqual([
      ['/app/src/a.ts', '/app/src/b.ts'],
      ['/app/src/a.ts', '/app/src/b.ts'],
    ]);
    w.stop.abort();
    await w.loop;
  });

  it('an event while a batch applies goes into the next batch, none lost', async () => {
    const w = await watching();
    let release = () => {};
    w.control.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    w.edit('src/a.ts');
    w.clock.advance(DEBOUNCE_MS);
    expect(filesOf(w.applied)).toEqual([['src/a.ts']]);
    w.edit('src/b.ts');
    w.clock.advance(DEBOUNCE_MS);
    w.edit('src/c.ts');
    w.clock.advance(DEBOUNCE_MS);
    await settle();
    // One batch at a time: b and c wait for a.
    expect(w.applied).toHaveLength(1);
    w.control.hold = undefined;
    release();
    await w.until(() => w.reports.length === 2);
    expect(filesOf(w.applied)).toEqual([['src/a.ts'], ['src/b.ts', 'src/c.ts']]);
    expect(w.synced()[0]).toEqual(['/app/src/a.ts', '/app/src/b.ts', '/app/src/c.ts']);
    w.stop.abort();
    await w.loop;
  });

  it('a failing apply is reported and the loop goes on; the next good change recovers', async () => {
    const w = await watching();
    let broken = true;
    w.fake.behave('api', {
      exec: () => (broken ? { exitCode: 1, output: 'reload: syntax error\n' } : { exitCode: 0, output: '' }),
    });
    w.edit('src/a.ts');
    w.clock.advance(DEBOUNCE_MS);
    await w.until(() => w.reports.length === 1);
    expect(w.reports[0]).toMatchObject({
      ok: false,
      error: 'reload exited with code 1',
      log: 'reload: syntax error',
    });
    // An apply that throws (not a failed report) is said on the error channel; the loop goes on.
    w.control.throwOnce = new Error('the engine went away');
    w.edit('src/a.ts');
    w.clock.advance(DEBOUNCE_MS);
    await w.until(() => w.errors.length === 1);
    expect(w.errors[0]?.message).toBe('the engine went away');
    broken = false;
    w.edit('src/a.ts');
    w.clock.advance(DEBOUNCE_MS);
    await w.until(() => w.reports.length === 2);
    expect(w.reports[1]).toMatchObject({ ok: true, files: ['src/a.ts'] });
    expect(w.applied).toHaveLength(3);
    w.stop.abort();
    await w.loop;
  });

  it('abort stops the loop: what waits is dropped, what applies finishes before it returns', async () => {
    const w = await watching();
    let release = () => {};
    w.control.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    w.edit('src/a.ts');
    w.clock.advance(DEBOUNCE_MS); // applying, held
    w.edit('src/b.ts');
    w.clock.advance(DEBOUNCE_MS); // queued behind it
    w.edit('src/c.ts'); // still in the debounce window
    w.stop.abort();
    let returned = false;
    void w.loop.then(() => {
      returned = true;
    });
    await settle();
    expect(returned).toBe(false);
    expect(w.watcher.watching).toEqual([]);
    expect(w.clock.pending).toBe(0);
    release();
    await w.loop;
    expect(filesOf(w.applied)).toEqual([['src/a.ts']]);
    expect(w.synced()[0]).not.toContain('/app/src/b.ts');
    expect(w.synced()[0]).not.toContain('/app/src/c.ts');
    // Neither recorded as synced: the next watch finds them changed and syncs them at start.
    const recorded = readSyncedState(w.stack).api?.files ?? {};
    expect(Object.keys(recorded).filter((f) => f.startsWith('src/'))).not.toContain('src/b.ts');
    expect(Object.keys(recorded)).not.toContain('src/c.ts');
    // Events after the end reach nothing.
    w.edit('src/d.ts');
    w.clock.advance(DEBOUNCE_MS);
    expect(w.applied).toHaveLength(1);
  });

  it('ignored paths, and a file whose content did not change, never make a batch', async () => {
    const w = await watching();
    w.edit('src/node_modules/dep/index.js');
    w.edit('src/.git/HEAD');
    w.edit('src/__pycache__/main.cpython-311.pyc');
    w.edit('src/.main.ts.swp');
    w.edit('src/main.ts~');
    w.edit('src/4913');
    w.edit('src/debug.log'); // the project's .gitignore
    w.edit('src/main.js.map'); // the rule's own ignore
    w.edit('Dockerfile'); // under no rule
    w.clock.advance(DEBOUNCE_MS);
    expect(w.applied).toEqual([]);
    expect(w.clock.pending).toBe(0);
    // The same change made through a path the rules want does make one (with nothing else in it).
    const main = w.edit('src/main.ts');
    w.clock.advance(DEBOUNCE_MS);
    expect(filesOf(w.applied)).toEqual([['src/main.ts']]);
    await w.until(() => w.reports.length === 1);
    w.watcher.touch(main); // touched, same content
    w.clock.advance(DEBOUNCE_MS);
    await settle(); // a batch would wait for the first one's record, then apply
    expect(w.applied).toHaveLength(1);
    w.stop.abort();
    await w.loop;
  });

  it('syncs at start what changed while nobody watched, records it, and only then says it is watching', async () => {
    const w = await watching(['src/offline.ts']);
    expect(w.said).toEqual(['change src/offline.ts', 'watching']);
    expect(w.reports[0]).toMatchObject({ ok: true, action: 'sync+exec' });
    expect(w.synced()[1]).toEqual(['/app/src/offline.ts']);
    expect(Object.keys(readSyncedState(w.stack).api?.files ?? {})).toContain('src/offline.ts');
    w.stop.abort();
    await w.loop;
  });
});
