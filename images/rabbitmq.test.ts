import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLogs, execIn } from '../src/engine/container-ops.ts';
import {
  docker,
  hostPort,
  offlineImage,
  Resources,
  requireImage,
  uniqueName,
  waitFor,
} from './lib/test-docker.ts';

const IMAGE = await offlineImage('rabbitmq:4.3-management');
const NODE_IMAGE = await offlineImage('node:24-bookworm-slim');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resources = new Resources();
const user = 'mkdev_user';
const pass = 'mkdev pass';
const vhost = 'mkdev';
const queue = 'email-queue';

beforeAll(async () => {
  await requireImage(IMAGE);
  await requireImage(NODE_IMAGE);
});

afterAll(() => resources.cleanup());

interface Broker {
  name: string;
  amqpPort: number;
  httpPort: number;
}

async function startBroker(opts: {
  name: string;
  hostname: string;
  volume: string;
  network: string;
}): Promise<Broker> {
  const container = await resources.run({
    name: opts.name,
    Image: IMAGE,
    Hostname: opts.hostname,
    Env: [
      `RABBITMQ_DEFAULT_USER=${user}`,
      `RABBITMQ_DEFAULT_PASS=${pass}`,
      `RABBITMQ_DEFAULT_VHOST=${vhost}`,
    ],
    ports: ['5672/tcp', '15672/tcp'],
    HostConfig: { Binds: [`${opts.volume}:/var/lib/rabbitmq`], NetworkMode: opts.network },
  });
  const broker = {
    name: opts.name,
    amqpPort: await hostPort(container, '5672/tcp'),
    httpPort: await hostPort(container, '15672/tcp'),
  };
  await waitFor('the management API alarms check', () =>
    alarms(broker).then((r) => (r.status === 200 ? r : undefined)),
  );
  // The management listener opens before the AMQP one: wait for a real AMQP login too.
  await waitFor('an AMQP login', async () => {
    const connection = await amqp.connect(amqpUrl('127.0.0.1', broker.amqpPort));
    await connection.close();
    return true;
  });
  return broker;
}

async function alarms(broker: Broker): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${broker.httpPort}/api/health/checks/alarms`, {
    headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` },
    signal: AbortSignal.timeout(2000),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

const amqpUrl = (host: string, port: number) =>
  `amqp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@${host}:${port}/${encodeURIComponent(vhost)}`;

/** A real AMQP 0-9-1 connection (with auth) from another container on the same network. */
const IN_CONTAINER_CLIENT = `
const amqp = require('amqplib');
(async () => {
  const conn = await amqp.connect(process.env.AMQP_URL);
  const ch = await conn.createChannel();
  const q = await ch.checkQueue(process.env.QUEUE);
  console.log(JSON.stringify({ product: conn.connection.serverProperties.product, messages: q.messageCount }));
  await conn.close();
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

describe(IMAGE, () => {
  it('accepts the configured user from the host and from other containers; queues survive re-creation', async () => {
    const network = await resources.network();
    const volume = await resources.volume();
    const name = uniqueName('rabbit');
    const hostname = 'mkdev-rabbit';
    const broker = await startBroker({ name, hostname, volume, network });

    expect(await alarms(broker)).toEqual({ status: 200, body: { status: 'ok' } });

    const connection = await amqp.connect(amqpUrl('127.0.0.1', broker.amqpPort));
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue(queue, { durable: true });
      channel.sendToQueue(queue, Buffer.from('{"template":"userVerification"}'), {
        persistent: true,
        contentType: 'text/plain',
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }

    const client = await resources.run({
      Image: NODE_IMAGE,
      Cmd: ['node', '-e', IN_CONTAINER_CLIENT],
      WorkingDir: '/app',
      Env: [`AMQP_URL=${amqpUrl(name, 5672)}`, `QUEUE=${queue}`],
      HostConfig: {
        NetworkMode: network,
        Binds: [`${path.join(repoRoot, 'node_modules/amqplib')}:/app/node_modules/amqplib:ro`],
      },
    });
    const exit = await client.wait();
    const output = await allLogs(client);
    expect(exit.StatusCode, output).toBe(0);
    expect(JSON.parse(output.trim())).toEqual({ product: 'RabbitMQ', messages: 1 });

    const container = docker.getContainer(name);
    expect((await execIn(container, ['rabbitmq-diagnostics', '-q', 'ping'])).exitCode).toBe(0);
    // As in the official image (RUNNING_UNDER_SYSTEMD): the Erlang VM is PID 1 and takes SIGTERM itself.
    expect((await execIn(container, ['cat', '/proc/1/comm'])).output.trim()).toBe('beam.smp');

    await resources.remove(container);
    const again = await startBroker({ name: uniqueName('rabbit'), hostname, volume, network });
    // The CLI tools still reach the node: the Erlang cookie lives on the volume.
    expect(
      (await execIn(docker.getContainer(again.name), ['rabbitmq-diagnostics', '-q', 'check_running']))
        .exitCode,
    ).toBe(0);
    const reconnected = await amqp.connect(amqpUrl('127.0.0.1', again.amqpPort));
    try {
      const channel = await reconnected.createChannel();
      const message = await channel.get(queue, { noAck: true });
      expect(message ? message.content.toString() : undefined).toBe('{"template":"userVerification"}');
    } finally {
      await reconnected.close();
    }
  });

  it('lets guest/guest in from outside the container when no user is configured', async () => {
    const container = await resources.run({ Image: IMAGE, Hostname: 'mkdev-guest', ports: ['5672/tcp'] });
    const port = await hostPort(container, '5672/tcp');
    // The connection arrives through the published port, i.e. not from the container's loopback.
    const connection = await waitFor('guest to connect over AMQP', () =>
      amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`),
    );
    await connection.close();
  });

  it('declares the official image layout', async () => {
    const info = await docker.getImage(IMAGE).inspect();
    expect(Object.keys(info.Config.Volumes ?? {})).toContain('/var/lib/rabbitmq');
    expect(Object.keys(info.Config.ExposedPorts ?? {}).sort()).toEqual(
      // rabbitmq:4's ports plus those its management variant adds (15671, 15672).
      [
        '15671/tcp',
        '15672/tcp',
        '15691/tcp',
        '15692/tcp',
        '25672/tcp',
        '4369/tcp',
        '5671/tcp',
        '5672/tcp',
      ].sort(),
    );
  });
});
