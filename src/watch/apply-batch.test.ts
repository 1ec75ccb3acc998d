// One batch of `mkdev watch` on the fake engine: files synced into every replica through the port,
// then a restart, a command or a rebuild; a failure reported, never thrown, and a failed build
// leaving the running container alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeProject } from '../../test/support/fake-project.ts';
import type { FakeBehaviour } from '../engine/fake-engine.ts';
import { lockProject } from '../project/project-lock.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { type ApplyContext, applyBatch } from './apply-batch.ts';
import { planBatch } from './batch-plan.ts';
import { RESTART_SIGNAL_LABEL } from './restart-service-process.ts';

async function watchedApi(
  rules: Record<string, unknown>[],
  replicas = 2,
  project = 'shop',
  extra: { labels?: Record<string, string>; behaviour?: FakeBehaviour; timeout?: string } = {},
) {
  const p = fakeProject(project);
  if (extra.behaviour) p.fake.behave('api', extra.behaviour);
  const stack = p.stack({
    api: {
      build: 'app',
      replicas,
      ready: {
        exec: { command: ['curl', '-f', 'localhost:8080/health'] },
        ...(extra.timeout ? { timeout: extra.timeout } : {}),
      },
      ...(extra.labels ? { labels: extra.labels } : {}),
      develop: { watch: rules as never },
    },
  });
  await p.up(stack);
  mkdirSync(join(p.dir, 'app', 'src'));
  const ctx: ApplyContext = {
    stack,
    engine: p.engine,
    host: '127.0.0.1',
    signal: AbortSignal.timeout(10_000),
  };
  const api = stack.services.api as ServiceSpec;
  const change = (file: string, deleted = false) => {
    const path = join(p.dir, 'app', file);
    if (!deleted) writeFileSync(path, `// ${file}\n`);
    const plan = planBatch(api, [{ path, deleted }], p.dir);
    if (plan === undefined) throw new Error(`no rule for ${file}`);
    return plan;
  };
  return { ...p, ctx, change };
}

const SYNC_RESTART = { path: 'app/src', action: 'sync+restart', target: '/app/src' };
const REBUILD = { path: 'app/package.json', action: 'rebuild' };

describe('applyBatch on the fake engine', () => {
  it('sync+restart copies the files into every replica, restarts them, waits until they are ready', async () => {
    const p = await watchedApi([SYNC_RESTART]);
    const newCalls = p.since();
    const report = await applyBatch(p.ctx, p.change('src/main.ts'));
    expect(report).toMatchObject({
      service: 'api',
      ok: true,
      action: 'sync+restart',
      files: ['src/main.ts'],
    });
    expect(report.readyMs).toEqual(expect.any(Number));
    expect(newCalls().filter((l) => /^(copyIn|restart|exec)/.test(l))).toEqual([
      'copyIn shop-api-1',
      'copyIn shop-api-2',
      'restart shop-api-1',
      'restart shop-api-2',
      'exec shop-api-1 curl -f localhost:8080/health',
      'exec shop-api-2 curl -f localhost:8080/health',
    ]);
    const copied = [...p.fake.containers.values()].map((c) => c.files.get('/app/src/main.ts'));
    expect(copied).toEqual([join(p.dir, 'app', 'src', 'main.ts'), join(p.dir, 'app', 'src', 'main.ts')]);
    expect(report.restarted).toBe('container');
  });

  describe("sync+restart on an image whose supervisor replaces the service's process (the templates')", () => {
    const SUPERVISED = {
      labels: { [RESTART_SIGNAL_LABEL]: 'SIGHUP' },
      behaviour: { restartSignal: 'SIGHUP' },
    };

    it('signals each replica instead of restarting it, and probes readiness once the old process has left', async () => {
      const p = await watchedApi([SYNC_RESTART], 2, 'shop', SUPERVISED);
      const before = [...p.fake.containers.values()].map((c) => ({
        children: c.children,
        finishedAt: c.finishedAt,
      }));
      const newCalls = p.since();
      const report = await applyBatch(p.ctx, p.change('src/main.ts'));
      expect(report).toMatchObject({ ok: true, action: 'sync+restart', restarted: 'process' });
      expect(newCalls().filter((l) => /^(copyIn|restart|stop|start|kill|exec)/.test(l))).toEqual([
        'copyIn shop-api-1',
        'copyIn shop-api-2',
        'kill shop-api-1 SIGHUP',
        'kill shop-api-2 SIGHUP',
        'exec shop-api-1 curl -f localhost:8080/health',
        'exec shop-api-2 curl -f localhost:8080/health',
      ]);
      const after = [...p.fake.containers.values()];
      after.forEach((c, i) => {
        expect(c.state).toBe('running');
        expect(c.finishedAt).toBe(before[i]?.finishedAt); // never stopped
        expect(c.children).not.toEqual(before[i]?.children); // a new process
      });
    });

    it('restarts the container when it is not running (the new process failed after an earlier edit)', async () => {
      const p = await watchedApi([SYNC_RESTART], 1, 'shop', {
        ...SUPERVISED,
        behaviour: {
          restartSignal: 'SIGHUP',
          exitCodeAfterRestart: 1,
          logs: 'SyntaxError: Unexpected token\n',
        },
      });
      const failed = await applyBatch(p.ctx, p.change('src/main.ts'));
      expect(failed).toMatchObject({ ok: false, restarted: 'process' });
      expect(failed.error).toMatch(/exited|exit code 1|status 1/);
      p.fake.behave('api', { restartSignal: 'SIGHUP' });
      const newCalls = p.since();
      const fixed = await applyBatch(p.ctx, p.change('src/main.ts'));
      expect(fixed).toMatchObject({ ok: true, restarted: 'container' });
      expect(newCalls().filter((l) => /^(restart|kill)/.test(l))).toEqual(['restart shop-api-1']);
    });

    it('fails the batch, with the log, when the supervisor does not replace its process', async () => {
      const p = await watchedApi([SYNC_RESTART], 1, 'shop', {
        labels: { [RESTART_SIGNAL_LABEL]: 'SIGHUP' },
        behaviour: { restartSignal: 'SIGUSR2', logs: 'supervisor: started\n' },
        timeout: '200ms',
      });
      const report = await applyBatch(p.ctx, p.change('src/main.ts'));
      expect(report).toMatchObject({ ok: false, log: 'supervisor: started' });
      expect(report.error).toMatch(/still running 0 s after SIGHUP/);
    });
  });

  it('restarts the container of an image without the label (a project scaffolded before the supervisor)', async () => {
    const p = await watchedApi([SYNC_RESTART], 1, 'shop', { behaviour: { restartSignal: 'SIGHUP' } });
    const newCalls = p.since();
    const report = await applyBatch(p.ctx, p.change('src/main.ts'));
    expect(report).toMatchObject({ ok: true, restarted: 'container' });
    expect(newCalls().filter((l) => /^(restart|kill)/.test(l))).toEqual(['restart shop-api-1']);
  });

  it('removes a deleted file where the container runs; a command that fails is reported with its output', async () => {
    const p = await watchedApi([
      {
        path: 'app/src',
        action: 'sync+exec',
        target: '/app/src',
        exec: { command: ['npm', 'run', 'reload'] },
      },
    ]);
    p.fake.behave('api', {
      exec: (command) =>
        command[0] === 'npm' ? { exitCode: 2, output: 'reload: not found\n' } : { exitCode: 0, output: '' },
    });
    const newCalls = p.since();
    const report = await applyBatch(p.ctx, p.change('src/old.ts', true));
    expect(newCalls().filter((l) => l.startsWith('exec'))).toEqual([
      'exec shop-api-1 rm -f -- /app/src/old.ts',
      'exec shop-api-2 rm -f -- /app/src/old.ts',
      'exec shop-api-1 npm run reload',
    ]);
    expect(report).toMatchObject({
      ok: false,
      error: 'npm run reload exited with code 2',
      log: 'reload: not found',
    });
    expect(report.syncedMs).toEqual(expect.any(Number));
  });

  it('rebuild goes through bring-up: the image built again, the replicas recreated', async () => {
    const p = await watchedApi([REBUILD], 1);
    writeFileSync(join(p.dir, 'app', 'package.json'), '{"dependencies":{"left-pad":"1"}}\n');
    const newCalls = p.since();
    const report = await applyBatch(p.ctx, p.change('package.json'));
    expect(report).toMatchObject({ ok: true, action: 'rebuild' });
    expect(newCalls().filter((l) => /^(build|stop|remove|create|start) /.test(l))).toEqual([
      'build mkdev-shop-api:dev',
      'stop shop-api-1',
      'remove shop-api-1',
      'create shop-api-1',
      'start shop-api-1',
    ]);
  });

  it('a failed build keeps the old container serving, and says what the build said', async () => {
    const p = await watchedApi([REBUILD], 1);
    p.fake.buildFailures.set('mkdev-shop-api:dev', 'npm ERR! 404 left-pad@99 is not in this registry');
    const newCalls = p.since();
    const report = await applyBatch(p.ctx, p.change('package.json'));
    expect(report).toMatchObject({
      ok: false,
      error: 'building api failed: npm ERR! 404 left-pad@99 is not in this registry',
    });
    expect(newCalls().filter((l) => /^(stop|remove|create|start) /.test(l))).toEqual([]);
    expect((await p.engine.containers('api')).map((c) => c.state)).toEqual(['running']);
  });

  it('says so when the service has no container to sync into', async () => {
    const p = await watchedApi([SYNC_RESTART], 1);
    const [api] = await p.engine.containers('api');
    if (api) await p.engine.remove(api);
    const report = await applyBatch(p.ctx, p.change('src/main.ts'));
    expect(report).toMatchObject({
      ok: false,
      error: "no container of api to sync into: run 'mkdev up api'",
    });
  });

  it('a rebuild waits for another up or down of the project (its lock), then goes ahead', async () => {
    const project = `watchlock-${process.pid}`;
    const p = await watchedApi([REBUILD], 1, project);
    const held = await lockProject(project, 'up', { wait: false });
    const newCalls = p.since();
    const applying = applyBatch(p.ctx, p.change('package.json'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Without the lock, the build would have been called by now (the fake answers at once).
    expect(newCalls().filter((l) => l.startsWith('build '))).toEqual([]);
    held.release();
    expect(await applying).toMatchObject({ ok: true, action: 'rebuild' });
    expect(newCalls().filter((l) => l.startsWith('build '))).toEqual([`build mkdev-${project}-api:dev`]);
  });
});
