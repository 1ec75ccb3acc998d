// A real RabbitMQ (the image the map gives rabbitmq:4.3-management, which the default stack names:
// the offline set's 4.0 here) for the
// tests of what mkdev reads from its management API, and the traffic they read: an `orders` queue fed
// through a topic exchange at 10 messages a second and drained at ~5 by a consumer that dead-letters
// the first message into `orders.failed`; an empty `billing-dlq`; a `plain` queue.
// test/fixtures/capture-rabbitmq-answers.ts records the API's answers to this traffic as a fixture.
import amqp from 'amqplib';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { ownerLabels } from '../../src/testing/containers/owner-label.ts';
import { eventually } from './cli.ts';
import { testImage } from './test-images.ts';

export interface Broker {
  readonly container: StartedTestContainer;
  readonly managementUrl: string;
  readonly amqpUrl: string;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

export async function startBroker(): Promise<Broker> {
  const user = 'mkdev';
  const password = 'broker-test-pw';
  const container = await new GenericContainer(await testImage('rabbitmq:4.3-management'))
    .withHostname('rabbitmq')
    .withEnvironment({ RABBITMQ_DEFAULT_USER: user, RABBITMQ_DEFAULT_PASS: password })
    .withExposedPorts(5672, 15672)
    .withWaitStrategy(
      Wait.forHttp('/api/health/checks/alarms', 15672)
        .withBasicCredentials(user, password)
        .forStatusCode(200),
    )
    .withLabels(ownerLabels())
    .start();
  const host = container.getHost();
  const amqpUrl = `amqp://${user}:${password}@${host}:${container.getMappedPort(5672)}`;
  // The management listener opens before the AMQP one.
  await eventually(
    async () => {
      const connection = await amqp.connect(amqpUrl);
      await connection.close();
      return true;
    },
    60_000,
    'an AMQP login',
  );
  return {
    container,
    managementUrl: `http://${host}:${container.getMappedPort(15672)}`,
    amqpUrl,
    user,
    password,
    stop: async () => {
      await container.stop({ remove: true, removeVolumes: true });
    },
  };
}

/** Declares the queues and exchanges, then runs the traffic until stop(). */
export async function ordersTraffic(amqpUrl: string): Promise<{ stop(): Promise<void> }> {
  const connection = await amqp.connect(amqpUrl);
  const channel = await connection.createChannel();
  await channel.assertExchange('orders.dlx', 'fanout', { durable: true });
  await channel.assertExchange('orders.events', 'topic', { durable: true });
  await channel.assertQueue('orders', {
    durable: true,
    arguments: { 'x-dead-letter-exchange': 'orders.dlx' },
  });
  await channel.assertQueue('orders.failed', { durable: true });
  await channel.assertQueue('billing-dlq', { durable: true });
  await channel.assertQueue('plain', { durable: true });
  await channel.bindQueue('orders', 'orders.events', 'order.*');
  await channel.bindQueue('orders.failed', 'orders.dlx', '');
  let sent = 0;
  const publisher = setInterval(() => {
    channel.publish('orders.events', 'order.created', Buffer.from(`order ${sent++}`), { persistent: true });
  }, 100);
  const consumer = await connection.createChannel();
  await consumer.prefetch(1);
  let received = 0;
  const acks = new Set<NodeJS.Timeout>();
  await consumer.consume('orders', (message) => {
    if (message === null) return;
    received += 1;
    if (received === 1) return consumer.nack(message, false, false);
    const ack = setTimeout(() => {
      acks.delete(ack);
      consumer.ack(message);
    }, 200);
    acks.add(ack);
  });
  return {
    stop: async () => {
      clearInterval(publisher);
      for (const ack of acks) clearTimeout(ack);
      await connection.close();
    },
  };
}
