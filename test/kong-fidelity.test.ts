// mkdev on Kong's real behaviour, which the Kong stand-in now has (test/stand-ins/kong/PARITY.md):
// Kong never sees a database changed behind its back until it restarts, and it refuses to start on a
// database with pending migrations. Each test here failed before the product handled that.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { requireImage } from '../images/lib/test-docker.ts';
import { startStack } from '../src/testing/start-stack.ts';
import {
  docker,
  eventually,
  OFFLINE_IMAGE_MAP,
  parseEnv,
  projectResources,
  removeProject,
  testProject,
} from './support/cli.ts';

const imageMap = parse(readFileSync(OFFLINE_IMAGE_MAP, 'utf8')) as { images: Record<string, string> };
const KONG = imageMap.images['kong:3.9'] ?? '';
/** The stand-in built with a newer schema: a Kong upgrade that brings migrations. */
const KONG_NEXT = `${KONG}-next`;
await requireImage(KONG, KONG_NEXT);

async function call(method: 'GET' | 'PUT', url: string, body?: unknown) {
  const res = await request(url, {
    method,
    headersTimeout: 10_000,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('restore() with Kong in the stack', () => {
  it('Kong routes exactly the restored routes; RabbitMQ loses its messages and gets its exchange and binding back', async () => {
    const stack = await startStack({ services: ['kong', 'rabbitmq'], images: OFFLINE_IMAGE_MAP });
    const amqpConnection = await amqp.connect(stack.env.MKDEV_RABBITMQ_URL ?? '');
    try {
      const admin = stack.env.MKDEV_KONG_ADMIN_URL ?? '';
      const proxy = stack.env.MKDEV_KONG_PROXY_URL ?? '';
      // A Kong service that goes nowhere: a routed request gets Kong's 502, an unrouted one its 404.
      expect((await call('PUT', `${admin}/services/nowhere`, { url: 'http://127.0.0.1:9' })).status).toBe(
        200,
      );
      const route = (name: string) =>
        call('PUT', `${admin}/routes/${name}`, { paths: [`/${name}`], service: { name: 'nowhere' } });
      expect((await route('before')).status).toBe(200);
      const channel = await amqpConnection.createConfirmChannel();
      await channel.assertExchange('orders', 'direct', { durable: true });
      await channel.assertQueue('orders-created', { durable: true });
      await channel.bindQueue('orders-created', 'orders', 'created');
      channel.publish('orders', 'created', Buffer.from('before'), { persistent: true });
      await channel.waitForConfirms();

      const snapshot = await stack.snapshot();

      expect((await route('later')).status).toBe(200);
      // Each Kong worker rebuilds its router every second (worker_state_update_frequency = 1).
      await eventually(
        async () => ((await call('GET', `${proxy}/later`)).status === 502 ? true : undefined),
        30_000,
        'the new route to route',
      );
      channel.publish('orders', 'created', Buffer.from('after'), { persistent: true });
      await channel.waitForConfirms();
      await channel.unbindQueue('orders-created', 'orders', 'created');
      await channel.deleteExchange('orders');
      await channel.close();

      await stack.restore(snapshot);

      expect((await call('GET', `${proxy}/later`)).status).toBe(404);
      expect((await call('GET', `${proxy}/before`)).status).toBe(502);
      expect((await call('GET', `${admin}/routes/later`)).status).toBe(404);
      const after = await amqpConnection.createConfirmChannel();
      expect((await after.checkQueue('orders-created')).messageCount).toBe(0);
      await after.checkExchange('orders');
      // The binding is back: a message through the exchange lands in the queue.
      after.publish('orders', 'created', Buffer.from('again'), { persistent: true });
      await after.waitForConfirms();
      const got = await after.get('orders-created', { noAck: true });
      expect(got === false ? undefined : got.content.toString()).toBe('again');
      await after.close();
    } finally {
      await amqpConnection.close().catch(() => {});
      await stack.stop();
    }
  });
});

describe('the kong-migrations flag never releases Kong before the migrations have run', () => {
  const project = testProject('flag');
  afterAll(() => removeProject(project.name));

  const upEvents = async (args: string[]) => {
    const up = await project.run(['up', 'kong', '--json', ...args], { timeout: 300_000 });
    expect(up.exitCode, up.all).toBe(0);
    return up.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { service?: string; step?: string; message?: string });
  };
  const flagClearedBeforeKongStarted = (events: Awaited<ReturnType<typeof upEvents>>) => {
    const cleared = events.findIndex(
      (e) => e.service === 'kong-migrations' && /cleared Consul KV kong-migrations/.test(e.message ?? ''),
    );
    const kongStarts = events.findIndex(
      (e) => e.service === 'kong' && ['create', 'recreate', 'start'].includes(e.step ?? ''),
    );
    expect(cleared, 'the flag was cleared').toBeGreaterThan(-1);
    expect(kongStarts, "Kong's container started after that").toBeGreaterThan(cleared);
  };
  const kongServes = async () => {
    const env = parseEnv((await project.run(['env'])).stdout);
    const name = `s${Date.now()}`;
    const put = await call('PUT', `${env.MKDEV_KONG_ADMIN_URL}/services/${name}`, { url: 'http://x.test' });
    expect(put.status, put.text).toBe(200);
  };

  it('a fresh stack: the flag is set once the migrations completed', async () => {
    flagClearedBeforeKongStarted(await upEvents([]));
    await kongServes();
  });

  it("Postgres' volume removed on its own: up migrates the new database before Kong starts on it", async () => {
    const postgres = (await projectResources(project.name)).containers.find(
      (c) => c.Labels['dev.mkdev.service'] === 'postgres',
    );
    await docker.getContainer(postgres?.Id ?? '').remove({ force: true });
    await docker.getVolume(`${project.name}_postgres-data`).remove();
    flagClearedBeforeKongStarted(await upEvents([]));
    await kongServes();
  });

  it('a Kong upgrade that brings migrations: up runs them before the new Kong starts', async () => {
    const next = join(project.dir, 'kong-next.yaml');
    writeFileSync(next, stringify({ images: { ...imageMap.images, 'kong:3.9': KONG_NEXT } }));
    flagClearedBeforeKongStarted(await upEvents(['--images', next]));
    await kongServes();
    const status = await project.run(['status', '--json', '--images', next]);
    const kong = (
      JSON.parse(status.stdout) as { services: { service: string; ready: boolean }[] }
    ).services.find((s) => s.service === 'kong');
    expect(kong?.ready).toBe(true);
  });
});
