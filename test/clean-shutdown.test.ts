// `mkdev down` (volumes kept) shuts Postgres and RabbitMQ down cleanly: at the next `up` neither
// recovers from a crash, and what was committed or confirmed before the `down` is still there.
// (How fast `down` is lives in the bench, not here.)
import amqp from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, parseEnv, projectResources, removeProject, testProject } from './support/cli.ts';

const project = testProject('clean-down');
const QUEUE = 'clean-down-durable';
const MESSAGES = 200;
let env: Record<string, string> = {};

async function logsOf(service: string): Promise<string> {
  const container = (await projectResources(project.name)).containers.find(
    (c) => c.Labels['dev.mkdev.service'] === service,
  );
  if (!container) throw new Error(`no ${service} container`);
  const raw = (await docker
    .getContainer(container.Id)
    .logs({ stdout: true, stderr: true })) as unknown as Buffer;
  return raw.toString('utf8');
}

async function up(): Promise<void> {
  const result = await project.run(['up', '--json']);
  if (result.exitCode !== 0) throw new Error(`mkdev up failed:\n${result.all}`);
  env = parseEnv((await project.run(['env'])).stdout);
}

async function withPostgres<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: env.MKDEV_POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('mkdev down, then up, with the volumes kept', () => {
  beforeAll(async () => {
    await up();
    // Written right before the down: committed rows, and persistent messages the broker confirmed.
    await withPostgres(async (client) => {
      await client.query('CREATE TABLE clean_down (n integer PRIMARY KEY)');
      await client.query('INSERT INTO clean_down SELECT generate_series(1, 1000)');
    });
    const connection = await amqp.connect(env.MKDEV_RABBITMQ_URL as string);
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(QUEUE, { durable: true });
    for (let i = 0; i < MESSAGES; i++) {
      channel.sendToQueue(QUEUE, Buffer.from(`message ${i}`), { persistent: true });
    }
    await channel.waitForConfirms();
    await connection.close();
    const down = await project.run(['down']);
    if (down.exitCode !== 0) throw new Error(`mkdev down failed:\n${down.all}`);
    await up();
  });
  afterAll(() => removeProject(project.name));

  it('Postgres starts from a clean shutdown, with no crash recovery', async () => {
    const log = await logsOf('postgres');
    expect(log).toMatch(/database system was shut down at/);
    expect(log).not.toMatch(/not properly shut down|automatic recovery in progress|was interrupted/);
  });

  it('Postgres kept every committed row', async () => {
    const count = await withPostgres((client) => client.query('SELECT count(*)::int AS n FROM clean_down'));
    expect(count.rows[0]).toEqual({ n: 1000 });
  });

  it('RabbitMQ starts from a clean shutdown, with no recovery of its message store', async () => {
    const log = await logsOf('rabbitmq');
    expect(log).toMatch(/Server startup complete/);
    expect(log).not.toMatch(/rebuilding indices from scratch|unclean shutdown|not cleanly shut down/i);
  });

  it('RabbitMQ kept every confirmed persistent message, in order', async () => {
    const connection = await amqp.connect(env.MKDEV_RABBITMQ_URL as string);
    try {
      const channel = await connection.createChannel();
      const bodies: string[] = [];
      for (;;) {
        const message = await channel.get(QUEUE, { noAck: true });
        if (message === false) break;
        bodies.push(message.content.toString());
      }
      expect(bodies).toEqual(Array.from({ length: MESSAGES }, (_, i) => `message ${i}`));
    } finally {
      await connection.close();
    }
  });
});
