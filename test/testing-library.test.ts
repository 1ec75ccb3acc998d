// mkdev/testing against the real engine: parallel stacks, cleanup, crash reaping, reuse, snapshots.
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import pg from 'pg';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startStack } from '../src/testing/index.ts';
import { BIN, docker, OFFLINE_IMAGE_MAP, projectResources, ROOT } from './support/cli.ts';

const images = OFFLINE_IMAGE_MAP;
const kvPut = async (url: string, key: string, value: string) =>
  (await request(`${url}/v1/kv/${key}`, { method: 'PUT', body: value })).body.text();
const kvGet = async (url: string, key: string) => {
  const res = await request(`${url}/v1/kv/${key}?raw`);
  if (res.statusCode === 200) return res.body.text();
  await res.body.dump();
  return undefined;
};
const counts = async (project: string) => {
  const r = await projectResources(project);
  return [r.containers.length, r.networks.length, r.volumes.length];
};

describe('startStack', () => {
  it('runs two stacks side by side without collisions, and stop() removes everything', async () => {
    const [a, b] = await Promise.all([
      startStack({ services: ['consul'], images }),
      startStack({ services: ['consul'], images }),
    ]);
    try {
      expect(a.project).not.toBe(b.project);
      expect(a.env.MKDEV_CONSUL_URL).not.toBe(b.env.MKDEV_CONSUL_URL);
      expect(a.env.MKDEV_CONSUL_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await kvPut(a.env.MKDEV_CONSUL_URL ?? '', 'who', 'a');
      expect(await kvGet(a.env.MKDEV_CONSUL_URL ?? '', 'who')).toBe('a');
      expect(await kvGet(b.env.MKDEV_CONSUL_URL ?? '', 'who')).toBeUndefined();
      expect(a.url('consul', 8500)).toBe(a.env.MKDEV_CONSUL_URL);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(await counts(a.project)).toEqual([0, 0, 0]);
    expect(await counts(b.project)).toEqual([0, 0, 0]);
  });

  it('reaps the stacks of a SIGKILLed test process at the next invocation', async () => {
    const child = spawn(process.execPath, ['test/support/hold-stacks.ts', '3'], {
      cwd: ROOT,
      env: { ...process.env, MKDEV_IMAGES: images },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const projects = await new Promise<string[]>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        const line = chunk.toString().trim();
        if (line.startsWith('[')) resolve(JSON.parse(line) as string[]);
      });
      child.on('exit', (code: number | null) => reject(new Error(`holder exited early (${code})`)));
    });
    expect(projects).toHaveLength(3);
    for (const p of projects) expect((await counts(p))[0]).toBe(1);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Any invocation reaps; `prune` is the one that does nothing else.
    const prune = await execa(process.execPath, [BIN, 'prune'], { reject: false });
    expect(prune.exitCode).toBe(0);
    for (const p of projects) expect(prune.stdout).toContain(p);
    for (const p of projects) expect(await counts(p)).toEqual([0, 0, 0]);
  });

  it('never reaps stacks whose owner is alive', async () => {
    const stack = await startStack({ services: ['consul'], images });
    try {
      await execa(process.execPath, [BIN, 'prune']);
      expect((await counts(stack.project))[0]).toBe(1);
    } finally {
      await stack.stop();
    }
  });

  it('reuse: true hands back the same containers to the next run', async () => {
    const first = await startStack({ services: ['consul'], images, reuse: true });
    const ids = (await projectResources(first.project)).containers.map((c) => c.Id);
    await kvPut(first.env.MKDEV_CONSUL_URL ?? '', 'kept', 'yes');
    await first.stop();
    const events: string[] = [];
    const second = await startStack({
      services: ['consul'],
      images,
      reuse: true,
      onEvent: (e) => events.push(e.step),
    });
    try {
      expect(second.project).toBe(first.project);
      expect((await projectResources(second.project)).containers.map((c) => c.Id)).toEqual(ids);
      expect(events).not.toContain('create');
      expect(events).toContain('kept');
      expect(await kvGet(second.env.MKDEV_CONSUL_URL ?? '', 'kept')).toBe('yes');
    } finally {
      await second.stop({ remove: true });
    }
    expect(await counts(first.project)).toEqual([0, 0, 0]);
  });

  it('snapshot -> change -> restore brings Postgres, Consul KV and RabbitMQ back', async () => {
    const stack = await startStack({ services: ['postgres', 'consul', 'rabbitmq'], images });
    const db = () => new pg.Client({ connectionString: stack.env.MKDEV_POSTGRES_URL });
    const mgmt = stack.env.MKDEV_RABBITMQ_MANAGEMENT_URL ?? '';
    const auth = {
      authorization: `Basic ${Buffer.from(`${new URL(stack.env.MKDEV_RABBITMQ_URL ?? '').username}:${decodeURIComponent(new URL(stack.env.MKDEV_RABBITMQ_URL ?? '').password)}`).toString('base64')}`,
    };
    const queues = async () =>
      (
        (await (await request(`${mgmt}/api/queues`, { headers: auth })).body.json()) as {
          name: string;
          messages?: number;
        }[]
      )
        .map((q) => q.name)
        .sort();
    try {
      const c = db();
      await c.connect();
      await c.query('CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)');
      await kvPut(stack.env.MKDEV_CONSUL_URL ?? '', 'feature/x', 'on');
      await request(`${mgmt}/api/queues/%2F/kept`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"durable":true}',
      });
      const snapshot = await stack.snapshot();

      await c.query('INSERT INTO orders VALUES (2); CREATE TABLE later (x int)');
      await c.end();
      await kvPut(stack.env.MKDEV_CONSUL_URL ?? '', 'feature/x', 'off');
      await kvPut(stack.env.MKDEV_CONSUL_URL ?? '', 'feature/y', 'new');
      await request(`${mgmt}/api/queues/%2F/added`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"durable":true}',
      });
      expect(await queues()).toEqual(['added', 'kept']);

      await stack.restore(snapshot);
      const d = db();
      await d.connect();
      expect((await d.query('SELECT id FROM orders ORDER BY id')).rows).toEqual([{ id: 1 }]);
      expect((await d.query("SELECT to_regclass('public.later') AS t")).rows).toEqual([{ t: null }]);
      await d.end();
      expect(await kvGet(stack.env.MKDEV_CONSUL_URL ?? '', 'feature/x')).toBe('on');
      expect(await kvGet(stack.env.MKDEV_CONSUL_URL ?? '', 'feature/y')).toBeUndefined();
      expect(await queues()).toEqual(['kept']);
    } finally {
      await stack.stop();
    }
    expect(
      await docker.listContainers({ all: true, filters: { label: [`dev.mkdev.project=${stack.project}`] } }),
    ).toEqual([]);
  });
});
