// `mkdev watch`'s actions besides sync+restart (test/watch-run.test.ts holds that one on the
// templates): plain `sync` (files land in every replica, nothing restarts), `sync+exec` (the command
// runs in every replica after the sync), and `rebuild` when the build fails: the old containers keep
// serving, and the next good build replaces them. One watch process for the file (describe-level
// setup), started as `mkdev up --watch` (test/watch-run.test.ts starts `mkdev watch`: the two run one
// loop); each test edits files of its own and reads the replicas as they are when it starts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockProject } from '../src/project/project-lock.ts';
import { docker, eventually, removeProject, testProject } from './support/cli.ts';
import { type MkdevProcess, spawnMkdev } from './support/mkdev-process.ts';

// Serves /static/<file> from disk at each request, /migrated from what the exec command wrote, and
// /version from the image; its start time tells a restart apart.
const SERVER = `const http = require('http'), fs = require('fs');
const started = String(Date.now());
const read = (f) => { try { return fs.readFileSync(f, 'utf8'); } catch { return 'none'; } };
http.createServer((q, s) => {
  if (q.url === '/started') return s.end(started);
  if (q.url === '/version') return s.end(read('/app/version.txt'));
  if (q.url === '/migrated') return s.end(read('/tmp/migrated'));
  if (q.url.startsWith('/static/')) return s.end(read('/app/static/' + q.url.slice(8)));
  s.end('ok');
}).listen(8080);
`;
const DOCKERFILE =
  'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nWORKDIR /app\nCOPY . /app\nCMD ["node", "/app/server.js"]\n';
const STACK = `extends: none
services:
  site:
    build: { context: site, args: { BASE_IMAGE: node:24-bookworm-slim } }
    ports: ["8080"]
    replicas: 2
    ready: { http: { port: 8080, path: / } }
    develop:
      watch:
        - { path: site/static, action: sync, target: /app/static }
        - { path: site/migrations, action: sync+exec, target: /app/migrations,
            exec: { command: [sh, -c, "ls /app/migrations > /tmp/migrated"] } }
        - { path: site/Dockerfile, action: rebuild }
        - { path: site/version.txt, action: rebuild }
`;

const project = testProject('watchact', { 'mkdev.yaml': STACK });
const write = (rel: string, text: string) => writeFileSync(join(project.dir, rel), text);
let watch: MkdevProcess;

interface Replica {
  readonly id: string;
  readonly url: string;
}

/** The site's running replicas, each with its published address. */
async function replicas(): Promise<Replica[]> {
  const list = await docker.listContainers({
    filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=site'] },
  });
  return list.map((c) => ({
    id: c.Id,
    url: `http://127.0.0.1:${c.Ports.find((p) => p.PrivatePort === 8080)?.PublicPort}`,
  }));
}
const get = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
const everyReplica = async (path: string) =>
  Promise.all((await replicas()).map((r) => get(`${r.url}${path}`)));

/** The change line for `file` after the `seen` ones. */
const changeFor = (file: string, seen: number) =>
  eventually(
    async () => watch.json().filter((l) => l.type === 'change' && (l.files as string[]).includes(file))[seen],
    300_000,
    `a change line for ${file}`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; watch's output:\n${watch.output()}`);
  });

describe('mkdev up --watch: sync, sync+exec, a failed rebuild, no lock held while watching', () => {
  beforeAll(async () => {
    mkdirSync(join(project.dir, 'site', 'static'), { recursive: true });
    mkdirSync(join(project.dir, 'site', 'migrations'));
    write('site/server.js', SERVER);
    write('site/Dockerfile', DOCKERFILE);
    write('site/version.txt', 'v1');
    write('site/static/hello.txt', 'hello v1');
    write('site/migrations/001-create.sql', 'create table t (id int);');
    watch = spawnMkdev(project, ['up', '--watch', '--json']);
    await watch.waitForJson('watch to start watching', (l) => l.type === 'watching', 600_000);
  }, 660_000);

  afterAll(async () => {
    await watch?.interrupt();
    await removeProject(project.name);
  });

  it("holds no project lock while watching: another terminal's up or down does not wait for it", async () => {
    expect(
      watch.json().find((l) => l.type === 'summary'),
      "up's summary before watching",
    ).toMatchObject({
      ok: true,
    });
    const lock = await lockProject(project.name, 'test', { wait: false });
    lock.release();
  });

  it('sync copies a changed file into every replica and restarts nothing', async () => {
    const before = await replicas();
    expect(before).toHaveLength(2);
    const started = await everyReplica('/started');
    write('site/static/hello.txt', 'hello v2');
    const change = await changeFor('static/hello.txt', 0);
    expect(change, JSON.stringify(change)).toMatchObject({ ok: true, action: 'sync' });
    expect(change.restartedMs).toBeUndefined();
    expect(await everyReplica('/static/hello.txt')).toEqual(['hello v2', 'hello v2']);
    // The same containers, the same processes.
    expect((await replicas()).map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    expect(await everyReplica('/started')).toEqual(started);
  });

  it('sync+exec copies the files, then runs the command in every replica, restarting nothing', async () => {
    const started = await everyReplica('/started');
    write('site/migrations/002-add-column.sql', 'alter table t add column name text;');
    const change = await changeFor('migrations/002-add-column.sql', 0);
    expect(change, JSON.stringify(change)).toMatchObject({ ok: true, action: 'sync+exec' });
    expect(change.execMs).toEqual(expect.any(Number));
    expect(change.restartedMs).toBeUndefined();
    // The command ran in each replica after the file had landed there.
    expect(await everyReplica('/migrated')).toEqual([
      '001-create.sql\n002-add-column.sql\n',
      '001-create.sql\n002-add-column.sql\n',
    ]);
    expect(await everyReplica('/started')).toEqual(started);
  });

  it('a failed build keeps the old containers serving; the next good build replaces them', async () => {
    const before = await replicas();
    const version = (await everyReplica('/version'))[0];
    write('site/Dockerfile', `${DOCKERFILE}RUN echo "the build breaks here" && exit 3\n`);
    const failed = await changeFor('Dockerfile', 0);
    expect(failed, JSON.stringify(failed)).toMatchObject({ ok: false, action: 'rebuild' });
    expect(failed.error).toMatch(/building site failed/);
    expect(failed.log).toContain('the build breaks here');
    // Still the old containers, running and answering.
    expect((await replicas()).map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    expect(await everyReplica('/version')).toEqual([version, version]);

    write('site/Dockerfile', DOCKERFILE);
    write('site/version.txt', 'v2');
    // The fix and the new version may come as one batch or two: wait for a good rebuild serving v2.
    await eventually(
      async () => {
        const rebuilt = watch
          .json()
          .some((l) => l.type === 'change' && l.action === 'rebuild' && l.ok === true);
        const answers = rebuilt ? await everyReplica('/version').catch(() => []) : [];
        return answers.length === 2 && answers.every((a) => a === 'v2') ? true : undefined;
      },
      300_000,
      `a good rebuild, every replica serving v2 (output:\n${watch.output()})`,
    );
    const after = await replicas();
    expect(after.map((r) => r.id).some((id) => before.some((b) => b.id === id))).toBe(false);
  }, 420_000);
});
