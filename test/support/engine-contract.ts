// What every implementation of the engine port answers, run against the real engine
// (test/engine-contract.docker.test.ts) and the fake (src/engine/fake-engine.test.ts): the same calls,
// the same outcomes, the same refusals (404 gone, 409 conflict, "already so" taken as done). Unit tests
// on the fake are worth only what the fake's fidelity is worth; this keeps it from drifting.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerEvent, Engine, EngineConnection } from '../../src/engine/engine.ts';
import { EngineError } from '../../src/engine/engine-error.ts';
import { UserError } from '../../src/errors.ts';
import type { ServiceSpec } from '../../src/stack/model.ts';
import type { ServiceFile } from '../../src/stack/schema.ts';
import { stackOf } from './stack-of.ts';

export interface ContractHarness {
  readonly connection: EngineConnection;
  /** An image the engine has, with a shell. */
  readonly image: string;
  /** Makes an image present that declares `VOLUME /data`; returns its reference. */
  imageWithVolume(): Promise<string>;
  /** The anonymous volumes a container mounts, by name. */
  anonymousVolumes(containerId: string): Promise<string[]>;
  volumeExists(name: string): Promise<boolean>;
  /** Removes what the projects named and the image left behind. */
  cleanup(projects: readonly string[]): Promise<void>;
}

/** A process that stops at once on SIGTERM (PID 1 ignores signals it does not handle). */
const SERVE = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.2; done'];

export function engineContract(name: string, open: () => Promise<ContractHarness>, prefix: string): void {
  describe(`the engine port (${name})`, () => {
    let h: ContractHarness;
    const projects: string[] = [];
    let n = 0;
    /** A project of its own per test, with its network: tests do not depend on each other. */
    const project = async (): Promise<Engine> => {
      n += 1;
      const name = `${prefix}-${n}`;
      projects.push(name);
      const engine = h.connection.project(name);
      await engine.ensureNetwork();
      return engine;
    };
    const service = (engine: Engine, svc: string, over: ServiceFile = {}): ServiceSpec =>
      stackOf(engine.project, { [svc]: { image: h.image, command: SERVE, restart: 'no', ...over } }).services[
        svc
      ] as ServiceSpec;
    const gone = { id: `${prefix}-gone`, service: 'ghost' };

    beforeAll(async () => {
      h = await open();
    });
    afterAll(() => h?.cleanup(projects));

    it('creates the network and a volume once, however often asked', async () => {
      const engine = await project();
      await engine.ensureNetwork();
      await engine.ensureVolume('data', { 'dev.mkdev.image': h.image });
      await engine.ensureVolume('data');
      const observed = await engine.observe();
      expect(observed.networkExists).toBe(true);
      expect([...observed.volumes]).toEqual([`${engine.project}_data`]);
      expect(observed.images.has(h.image)).toBe(true);
      // The labels it was created with (what it was created for), beside the project's.
      expect((await engine.connection.volume(`${engine.project}_data`))?.labels).toMatchObject({
        'dev.mkdev.image': h.image,
        'dev.mkdev.project': engine.project,
      });
      expect(await engine.connection.volume(`${engine.project}_none`)).toBeUndefined();
    });

    it("tells where the project's containers reach this machine: host.docker.internal as a running one resolves it", async () => {
      const engine = await project();
      await expect(engine.hostAddress()).rejects.toBeInstanceOf(UserError);
      const ref = await engine.create(service(engine, 'api'), { replica: 1, configHash: 'h' });
      await engine.start(ref);
      const where = await engine.hostAddress('api');
      expect(where.inNetwork).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(where.bind).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      await engine.remove(ref);
    });

    it("creates a replica not started, labelled as the project's; its name taken again is a 409", async () => {
      const engine = await project();
      const spec = service(engine, 'api');
      const ref = await engine.create(spec, { replica: 1, configHash: 'h1' });
      expect(ref.service).toBe('api');
      expect(await engine.containers('api')).toEqual([
        expect.objectContaining({
          id: ref.id,
          name: `${engine.project}-api-1`,
          replica: 1,
          configHash: 'h1',
          state: 'created',
          oneShot: false,
        }),
      ]);
      const again = engine.create(spec, { replica: 1, configHash: 'h1' });
      await expect(again).rejects.toBeInstanceOf(EngineError);
      await expect(again).rejects.toMatchObject({
        statusCode: 409,
        message: expect.stringMatching(/^api: creating the container failed: the engine said: Conflict/),
      });
    });

    it('starts a replica, again without error, on a free host port that inspect and the listing show', async () => {
      const engine = await project();
      const ref = await engine.create(service(engine, 'web', { ports: ['8080'] }), {
        replica: 1,
        configHash: 'h',
      });
      await engine.start(ref);
      await engine.start(ref);
      const details = await engine.inspect(ref);
      expect(details).toMatchObject({ running: true, restartCount: 0, finishedAt: undefined });
      const port = details?.ports['8080/tcp'];
      expect(port).toBeGreaterThan(0);
      expect(details?.bindings['8080/tcp']).toEqual([{ hostIp: '127.0.0.1', hostPort: String(port) }]);
      expect((await engine.containers())[0]).toMatchObject({ state: 'running', ports: { '8080/tcp': port } });
      expect(await h.connection.portHolder(port as number)).toBe(`container ${engine.project}-web-1`);
    });

    it('runs a command in a running container; in a stopped one it is a 409', async () => {
      const engine = await project();
      const ref = await engine.create(service(engine, 'api'), { replica: 1, configHash: 'h' });
      await engine.start(ref);
      expect(await engine.exec(ref, ['true'])).toMatchObject({ exitCode: 0 });
      await engine.stop(ref);
      await expect(engine.exec(ref, ['true'])).rejects.toMatchObject({ statusCode: 409 });
    });

    it('stops a replica; stopping it again, or one that is gone, is no error; restart starts it again', async () => {
      const engine = await project();
      const ref = await engine.create(service(engine, 'api'), { replica: 1, configHash: 'h' });
      await engine.start(ref);
      await engine.stop(ref, { graceSeconds: 5 });
      expect(await engine.inspect(ref)).toMatchObject({ running: false, exitCode: 0 });
      expect((await engine.containers())[0]?.state).toBe('exited');
      await engine.stop(ref);
      await engine.stop(gone);
      await engine.restart(ref);
      expect(await engine.inspect(ref)).toMatchObject({ running: true });
    });

    it("reports a job's exit code and the runs its restart policy took", async () => {
      const engine = await project();
      const failing = service(engine, 'job', {
        command: ['sh', '-c', 'exit 3'],
        one_shot: true,
        restart: 'on-failure:1',
      });
      const ref = await engine.create(failing, { replica: 1, configHash: 'h' });
      await engine.start(ref);
      expect(await engine.jobExit(ref, AbortSignal.timeout(60_000))).toEqual({ code: 3, attempts: 2 });
      expect(await engine.exitHistory(ref)).toEqual({ restarts: 1, lastExitCode: 3 });
      expect((await engine.containers('job'))[0]).toMatchObject({
        state: 'exited',
        exitCode: 3,
        oneShot: true,
      });
      const ok = service(engine, 'done', { command: ['sh', '-c', 'exit 0'], one_shot: true });
      const done = await engine.create(ok, { replica: 1, configHash: 'h' });
      expect(await engine.exitHistory(done)).toEqual({ restarts: 0 });
      await engine.start(done);
      expect(await engine.jobExit(done, AbortSignal.timeout(60_000))).toEqual({ code: 0, attempts: 1 });
    });

    it('removes a replica with its anonymous volumes and keeps the named ones; again is no error', async () => {
      const engine = await project();
      const image = await h.imageWithVolume();
      await engine.ensureVolume('named');
      const spec = service(engine, 'db', { image, volumes: ['named:/named'] });
      const ref = await engine.create(spec, { replica: 1, configHash: 'h' });
      const [anonymous] = await h.anonymousVolumes(ref.id);
      expect(anonymous).toBeDefined();
      expect(await h.volumeExists(anonymous as string)).toBe(true);
      await engine.start(ref);
      await engine.remove(ref);
      expect(await h.volumeExists(anonymous as string)).toBe(false);
      expect([...(await engine.observe()).volumes]).toEqual([`${engine.project}_named`]);
      await engine.remove(ref);
      expect(await engine.inspect(ref)).toBeUndefined();
      expect(await engine.exitHistory(ref)).toBeUndefined();
    });

    it('refuses with a 404 what needs a container that is gone', async () => {
      const engine = await project();
      const refusals = [
        () => engine.start(gone),
        () => engine.restart(gone),
        () => engine.exec(gone, ['true']),
        () => engine.logs(gone),
        () => engine.copyIn(gone, []),
        () => engine.jobExit(gone, AbortSignal.timeout(10_000)),
      ];
      for (const refuse of refusals) {
        const refusal = refuse();
        await expect(refusal).rejects.toBeInstanceOf(EngineError);
        await expect(refusal).rejects.toMatchObject({
          statusCode: 404,
          message: expect.stringMatching(/^ghost: /),
        });
      }
    });

    it("hands on the project's container events as they happen", async () => {
      const engine = await project();
      const events: ContainerEvent[] = [];
      const stop = new AbortController();
      let onDestroy = () => {};
      const destroyed = new Promise<void>((resolve) => {
        onDestroy = resolve;
      });
      await engine.events((e) => {
        events.push(e);
        if (e.action === 'destroy') onDestroy();
      }, stop.signal);
      const ref = await engine.create(service(engine, 'api'), { replica: 1, configHash: 'h' });
      await engine.start(ref);
      await engine.stop(ref);
      await engine.remove(ref);
      await destroyed;
      stop.abort();
      const seen = events.filter((e) => ['create', 'start', 'die', 'stop', 'destroy'].includes(e.action));
      expect(seen.map((e) => e.action)).toEqual(['create', 'start', 'die', 'stop', 'destroy']);
      expect(seen[0]).toMatchObject({
        id: ref.id,
        name: `${engine.project}-api-1`,
        service: 'api',
        replica: 1,
      });
    });

    it('removes the named volumes, refusing one a container still uses with a 409', async () => {
      const engine = await project();
      await engine.ensureVolume('kept');
      const ref = await engine.create(service(engine, 'db', { volumes: ['kept:/kept'] }), {
        replica: 1,
        configHash: 'h',
      });
      await expect(engine.removeVolumes()).rejects.toMatchObject({ statusCode: 409 });
      await engine.remove(ref);
      expect(await engine.removeVolumes()).toBe(1);
      expect((await engine.observe()).volumes.size).toBe(0);
    });

    it('removes the network once no container runs on it; without it, a container is created but cannot start', async () => {
      const engine = await project();
      const ref = await engine.create(service(engine, 'api'), { replica: 1, configHash: 'h' });
      await engine.remove(ref);
      expect(await engine.removeNetwork()).toEqual({ removed: 1, stuck: [] });
      expect(await engine.removeNetwork()).toEqual({ removed: 0, stuck: [] });
      expect((await engine.observe()).networkExists).toBe(false);
      const orphan = await engine.create(service(engine, 'api'), { replica: 1, configHash: 'h' });
      await expect(engine.start(orphan)).rejects.toMatchObject({
        statusCode: 404,
        message: expect.stringMatching(/^api: starting the container failed: the engine said: .*not found/),
      });
      await engine.remove(orphan);
    });

    it('pulls only what a registry has: an image none has fails naming it', async () => {
      const engine = await project();
      const nowhere = `${prefix}-nowhere/none:1`;
      expect(await h.connection.imagePresent(nowhere)).toBe(false);
      expect(await h.connection.whyNotPullable(nowhere)).toEqual(expect.any(String));
      const pull = engine.ensureImage(
        { service: service(engine, 'api', { image: nowhere }), step: 'pull', buildHash: '' },
        () => {},
        AbortSignal.timeout(30_000),
      );
      await expect(pull).rejects.toThrow(`cannot pull image ${nowhere} from docker.io: `);
    });

    it('builds an image labelled with what it was built from, removed with the project unless in use', async () => {
      const engine = await project();
      const context = mkdtempSync(join(tmpdir(), `${prefix}-build-`));
      writeFileSync(join(context, 'Dockerfile'), `FROM ${h.image}\nLABEL dev.mkdev.test=contract\n`);
      const spec = stackOf(
        engine.project,
        { app: { build: context, command: SERVE } },
        { projectDir: context },
      ).services.app as ServiceSpec;
      const reports: string[] = [];
      const need = { service: spec, step: 'build' as const, buildHash: 'b1' };
      await engine.ensureImage(
        need,
        (step, m) => reports.push(`${step}: ${m}`),
        AbortSignal.timeout(120_000),
      );
      expect(reports.at(-1)).toBe(`image-ready: built ${spec.image}`);
      const every = await engine.observe();
      expect(every.builtFor.get(spec.image)).toBe('b1');
      // Named images: the full listing's answer for each of them, and nothing about the others.
      const absent = `${prefix}-absent/none:1`;
      const named = await engine.observe([spec.image, h.image, absent]);
      expect([...named.images].sort()).toEqual([spec.image, h.image].sort());
      expect([...named.builtFor]).toEqual([[spec.image, 'b1']]);
      expect(every.images.has(h.image) && !every.images.has(absent)).toBe(true);
      const none = await engine.observe([]);
      expect([none.images.size, none.builtFor.size]).toEqual([0, 0]);
      const ref = await engine.create(spec, { replica: 1, configHash: 'h' });
      expect(await engine.removeBuiltImages()).toBe(0);
      await engine.remove(ref);
      expect(await engine.removeBuiltImages()).toBe(1);
      expect(await h.connection.imagePresent(spec.image)).toBe(false);
    });
  });
}
