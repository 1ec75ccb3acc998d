// Behaviours of the everyday commands on one small stack (no default stack, so it is cheap): init,
// exports and env (JSON, masked on a terminal, --show-secrets), logs (--tail, --since, -f), status
// drift and its exit code, scaling down, down -t and --images, and reaping by an ordinary command.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../src/engine/ensure-image.ts';
import { imageExists } from '../src/engine/image.ts';
import { LABEL } from '../src/engine/labels.ts';
import { currentOwner } from '../src/engine/owner.ts';
import {
  BIN,
  docker,
  eventually,
  OFFLINE_IMAGE_MAP,
  offlineImage,
  projectResources,
  removeProject,
  testProject,
} from './support/cli.ts';

// Logs a numbered line every 100 ms and answers HTTP; ignores SIGTERM as PID 1 (no handler), so how
// `down` stops it shows in the engine's events.
// After SIGUSR1 it accepts requests and never answers them: a hung dependency.
const SERVER =
  "let n=0,hang=false;process.on('SIGUSR1',()=>{hang=true});setInterval(()=>console.log('tick '+(n++)),100);require('http').createServer((q,s)=>{if(!hang)s.end('ok')}).listen(8080)";
const stackFile = (replicas: number, greeting = 'hello') => `extends: none
services:
  web:
    image: node:24-bookworm-slim
    command: [node, -e, "${SERVER}"]
    env: { GREETING: ${greeting}, TOKEN: "\${secret:web-token}" }
    ports: ["8080"]
    replicas: ${replicas}
    ready: { http: { port: 8080, path: / } }
    exports:
      WEB_URL: http://{{host}}:{{port:8080}}
      WEB_TOKEN: "{{env:TOKEN}}"
  built:
    build: { context: built, args: { BASE_IMAGE: node:24-bookworm-slim } }
    command: [node, -e, "setInterval(() => {}, 1000)"]
`;

const project = testProject('behave', { 'mkdev.yaml': stackFile(2) });
const secret = () =>
  (
    JSON.parse(readFileSync(join(project.dir, '.mkdev', 'secrets.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >
  )[project.name]?.['web-token'];

/** Runs mkdev on a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
const onTerminal = (args: string) =>
  execa('script', ['-qec', `${process.execPath} ${BIN} ${args} -p ${project.name}`, '/dev/null'], {
    cwd: project.dir,
    reject: false,
    env: { MKDEV_IMAGES: OFFLINE_IMAGE_MAP, NO_COLOR: '1' },
  });

describe('everyday commands on a small stack', () => {
  beforeAll(async () => {
    mkdirSync(join(project.dir, 'built'));
    writeFileSync(join(project.dir, 'built', 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n');
    const up = await project.run(['up']);
    if (up.exitCode !== 0) throw new Error(`up failed:\n${up.all}`);
  }, 300_000);
  afterAll(() => removeProject(project.name));

  it('init writes a commented mkdev.yaml that loads, and refuses to overwrite it', async () => {
    const fresh = testProject('init');
    const init = await fresh.run(['init'], { withoutProject: true });
    expect(init.exitCode, init.all).toBe(0);
    const text = readFileSync(join(fresh.dir, 'mkdev.yaml'), 'utf8');
    expect(text).toMatch(/^#/m);
    // The written file is a valid project: export reads and resolves it without an engine.
    const exported = await fresh.run(['export', 'compose']);
    expect(exported.exitCode, exported.all).toBe(0);
    const again = await fresh.run(['init'], { withoutProject: true });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already exists\nhint: /);
  });

  it('env --json has the custom exports, secrets shown when piped', async () => {
    const env = await project.run(['env', '--json']);
    expect(env.exitCode, env.all).toBe(0);
    const values = JSON.parse(env.stdout) as Record<string, string>;
    expect(values.WEB_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(values.WEB_TOKEN).toBe(secret());
    expect((await fetch(values.WEB_URL ?? '')).status).toBe(200);
  });

  it('env masks credentials on a terminal, and --show-secrets shows them', async () => {
    const masked = await onTerminal('env');
    expect(masked.stdout).toContain('WEB_TOKEN=***');
    expect(masked.stdout).not.toContain(secret());
    const shown = await onTerminal('env --show-secrets');
    expect(shown.stdout).toContain(`WEB_TOKEN=${secret()}`);
  });

  it('logs --tail N gives the last N lines of each replica; --since in the future gives none', async () => {
    const tail = await project.run(['logs', 'web', '--tail', '2']);
    expect(tail.exitCode, tail.all).toBe(0);
    const lines = tail.stdout.trim().split('\n');
    expect(lines).toHaveLength(4); // two replicas, two lines each
    expect(
      lines.every((l) => /^web-[12] +\| tick \d+$/.test(l)),
      tail.stdout,
    ).toBe(true);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await project.run(['logs', 'web', '--since', future]);
    expect([none.exitCode, none.stdout.trim()]).toEqual([0, '']);
    const recent = await project.run(['logs', 'web', '--since', '1h', '--tail', 'all']);
    expect(recent.stdout).toMatch(/tick 0\n/);
  });

  it('logs -f follows: lines written after it started arrive', async () => {
    const child = project.run(['logs', 'web', '-f', '--tail', '0']);
    const seen: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => seen.push(chunk.toString()));
    await eventually(
      async () => (seen.join('').match(/tick \d+/g)?.length ?? 0) >= 3 || undefined,
      30_000,
      'followed lines',
    );
    child.kill('SIGINT');
    await child;
  });

  it('status names config drift; exits 1 when a service is not ready; up fixes both; scaling down', async () => {
    expect((await project.run(['status'])).exitCode).toBe(0);
    project.write('mkdev.yaml', stackFile(2, 'changed'));
    const drift = await project.run(['status']);
    expect(drift.stdout).toMatch(/^web\s+running\s+ready\s+changed: run mkdev up/m);
    const [built] = (await projectResources(project.name)).containers.filter(
      (c) => c.Labels[LABEL.service] === 'built',
    );
    // A deliberate stop: the restart policy leaves it stopped, and status says so with exit 1.
    await docker.getContainer(built?.Id ?? '').stop({ t: 0 });
    const down = await project.run(['status', '--json']);
    expect(down.exitCode).toBe(1);
    const rows = (
      JSON.parse(down.stdout) as { services: { service: string; state: string; upToDate: boolean }[] }
    ).services;
    expect(rows.find((r) => r.service === 'built')?.state).toBe('exited');
    expect(rows.filter((r) => r.service === 'web').map((r) => r.upToDate)).toEqual([false, false]);
    project.write('mkdev.yaml', stackFile(1, 'changed'));
    const up = await project.run(['up', '--json']);
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toContain('"step":"remove"');
    const web = (await projectResources(project.name)).containers.filter(
      (c) => c.Labels[LABEL.service] === 'web',
    );
    expect(web.map((c) => c.Labels[LABEL.replica])).toEqual(['1']);
    expect((await project.run(['status'])).exitCode).toBe(0);
  });

  it('one writer per project: --no-wait fails at once, a waiting up says for whom, a dead holder is no obstacle', async () => {
    const locks = mkdtempSync(join(tmpdir(), 'mkdev-locks-'));
    const lockEnv = { env: { MKDEV_LOCK_DIR: locks } };
    const lockFile = join(locks, 'mkdev-locks', `${project.name}.lock`);
    mkdirSync(dirname(lockFile), { recursive: true });
    // This test process holds it, as a running `mkdev up` would.
    writeFileSync(lockFile, JSON.stringify({ ...currentOwner(), command: 'up' }));
    const refused = await project.run(['up', '--no-wait'], lockEnv);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      `mkdev: another mkdev up of ${project.name} (pid ${process.pid}) is running\nhint: `,
    );
    const waiting = project.run(['up'], lockEnv);
    let stderr = '';
    waiting.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    await eventually(
      async () => stderr.includes('waiting for another') || undefined,
      30_000,
      'the waiting message',
    );
    expect(stderr).toContain(`mkdev: waiting for another mkdev up of ${project.name} (pid ${process.pid})`);
    rmSync(lockFile);
    const waited = await waiting;
    expect(waited.exitCode, waited.all).toBe(0);
    expect(waited.stdout).toContain('(nothing changed)');
    // A holder that was killed: its pid is gone, so its lock is broken, not waited for.
    const dead = execa(process.execPath, ['-e', '']);
    await dead;
    writeFileSync(lockFile, JSON.stringify({ ...currentOwner(), pid: dead.pid, command: 'up' }));
    const after = await project.run(['up', '--no-wait'], lockEnv);
    expect(after.exitCode, after.all).toBe(0);
  });

  // Leaves web hung: later tests must not need it ready.
  it('status answers when a service hangs: each probe has a deadline', async () => {
    const [web] = (await projectResources(project.name)).containers.filter(
      (c) => c.Labels[LABEL.service] === 'web',
    );
    await docker.getContainer(web?.Id ?? '').kill({ signal: 'SIGUSR1' });
    const result = await project.run(['status', '--json']);
    expect(result.exitCode).toBe(1);
    const rows = (
      JSON.parse(result.stdout) as { services: { service: string; ready: boolean; reason?: string }[] }
    ).services;
    expect(rows.find((r) => r.service === 'web')).toMatchObject({
      ready: false,
      reason: 'no answer within 1500 ms',
    });
  });

  it('an ordinary command reaps what a dead test process left (not only prune)', async () => {
    // A throwaway project whose owner (a pid that has exited) is gone.
    const child = execa(process.execPath, ['-e', '']);
    await child;
    const owner = `${child.pid}@${(await import('node:os')).hostname()}@1`;
    const orphan = `mkdevtest-orphan${project.name.slice(-6)}`;
    await docker.createVolume({
      Name: `${orphan}_data`,
      Labels: { [LABEL.project]: orphan, [LABEL.owner]: owner },
    });
    expect((await projectResources(orphan)).volumes).toHaveLength(1);
    await project.run(['status']);
    expect((await projectResources(orphan)).volumes).toHaveLength(0);
  });

  it("a dead test stack's built image goes with its stack, build tags too; one left alone waits for prune", async () => {
    const child = execa(process.execPath, ['-e', '']);
    await child;
    const owner = `${child.pid}@${(await import('node:os')).hostname()}@1`;
    const orphan = `mkdevtest-orphanimg${project.name.slice(-6)}`;
    const image = `${orphan}-app:1`;
    const context = mkdtempSync(join(tmpdir(), 'mkdev-reap-image-'));
    const base = await offlineImage('python:3.13-slim-trixie');
    // Two stages, so the build leaves its first stage tagged <image>-stage1 (src/engine/build-tags.ts).
    writeFileSync(
      join(context, 'Dockerfile'),
      `FROM ${base} AS build\nRUN echo ${orphan} > /built\nFROM ${base}\nCOPY --from=build /built /built\n`,
    );
    const buildOrphanImage = () =>
      buildImage(
        docker,
        {
          service: { name: 'app', image, build: { context, dockerfile: 'Dockerfile', args: {} } } as never,
          step: 'build',
          buildHash: orphan,
        },
        () => {},
        AbortSignal.timeout(120_000),
        { [LABEL.project]: orphan, [LABEL.owner]: owner },
      );
    const orphanImages = async () =>
      (await docker.listImages({ filters: { label: [`${LABEL.project}=${orphan}`] } })).length;
    const stageTag = async () =>
      docker
        .getImage(`${image}-stage1`)
        .inspect()
        .then(
          (i) => i.Id,
          () => undefined,
        );
    try {
      // With its stack (a volume here): an ordinary command removes both, and the build's stage tag
      // with the image it names (which carries no project label of its own).
      await buildOrphanImage();
      const stage = await stageTag();
      expect(stage).toBeDefined();
      await docker.createVolume({
        Name: `${orphan}_data`,
        Labels: { [LABEL.project]: orphan, [LABEL.owner]: owner },
      });
      await project.run(['status']);
      expect((await projectResources(orphan)).volumes).toHaveLength(0);
      expect(await orphanImages()).toBe(0);
      expect(await stageTag()).toBeUndefined();
      expect(await imageExists(docker, stage as string)).toBe(false);
      // Alone: an ordinary command does not list images for it; prune does.
      await buildOrphanImage();
      await project.run(['status']);
      expect(await orphanImages()).toBe(1);
      // prune takes no -p (project.run adds one): it reaps across projects.
      const prune = await execa(process.execPath, [BIN, 'prune'], { reject: false, all: true });
      expect(prune.exitCode, prune.all).toBe(0);
      expect(await orphanImages()).toBe(0);
      expect(await stageTag()).toBeUndefined();
    } finally {
      for (const tag of [image, `${image}-stage1`])
        await docker
          .getImage(tag)
          .remove()
          .catch(() => {});
      rmSync(context, { recursive: true, force: true });
    }
  });

  it('down -t 0 kills at once (no SIGTERM) and --images removes the images it built', async () => {
    const built = (await docker.listImages({ filters: { label: [`${LABEL.project}=${project.name}`] } }))
      .length;
    expect(built).toBe(1);
    const since = Math.floor(Date.now() / 1000);
    const down = await project.run(['down', '-t', '0', '--images', '--volumes']);
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stdout).toMatch(/removed 2 containers, 1 network, 0 volumes, 1 built images/);
    const events = (await docker.getEvents({
      since,
      until: Math.floor(Date.now() / 1000) + 1,
      filters: { type: ['container'], event: ['kill'], label: [`${LABEL.project}=${project.name}`] },
    })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of events) text += chunk.toString();
    const signals = text
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { Actor: { Attributes: { signal: string } } }).Actor.Attributes.signal);
    // SIGKILL for each, and never SIGTERM (an earlier test's SIGUSR1 may fall in the same second).
    expect(signals.filter((s) => s === '9')).toHaveLength(2);
    expect(signals).not.toContain('15');
    expect(
      (await docker.listImages({ filters: { label: [`${LABEL.project}=${project.name}`] } })).length,
    ).toBe(0);
  });
});
