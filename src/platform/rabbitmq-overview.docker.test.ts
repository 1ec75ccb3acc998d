// The dashboard's Messaging view read from a live RabbitMQ 4 (the image the map gives
// rabbitmq:4.3-management, which the default stack names) under traffic: depth, consumers, publish and
// deliver rates, dead-letter queues, the project's exchanges and bindings (test/support/rabbitmq-broker.ts
// sets them up).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/cli.ts';
import { type Broker, ordersTraffic, startBroker } from '../../test/support/rabbitmq-broker.ts';
import { type MessagingView, readMessaging } from './rabbitmq-overview.ts';

let broker: Broker;
let traffic: { stop(): Promise<void> } | undefined;

beforeAll(async () => {
  broker = await startBroker();
  traffic = await ordersTraffic(broker.amqpUrl);
}, 180_000);
afterAll(async () => {
  await traffic?.stop();
  await broker?.stop();
});

describe('readMessaging against RabbitMQ 4', () => {
  it('shows the queues under traffic: depth, consumers, both rates, and the dead-letter queues', async () => {
    // The management plugin samples every 5 s: wait until both rates are in.
    const view = await eventually(
      async () => {
        const v = await readMessaging(broker);
        const orders = v.queues.find((q) => q.name === 'orders');
        return orders && orders.publishRate > 0 && orders.deliverRate > 0 ? v : undefined;
      },
      60_000,
      'publish and deliver rates on orders',
    );
    const byName = (name: string) => view.queues.find((q) => q.name === name);
    const orders = byName('orders');
    expect(orders).toMatchObject({ vhost: '/', consumers: 1, deadLetter: false });
    // Published at 10/s, drained at ~5/s.
    expect(orders?.publishRate).toBeGreaterThan(orders?.deliverRate ?? Infinity);
    expect(orders?.messages).toBeGreaterThan(0);
    // The first message was rejected: dead-lettered into orders.failed, which is flagged.
    expect(byName('orders.failed')).toMatchObject({ messages: 1, consumers: 0, deadLetter: true });
    expect(byName('billing-dlq')).toMatchObject({ messages: 0, deadLetter: true });
    expect(byName('plain')).toMatchObject({ messages: 0, publishRate: 0, deliverRate: 0, deadLetter: false });
  });

  it("lists the project's exchanges and bindings, not the broker's own", async () => {
    const view: MessagingView = await readMessaging(broker);
    expect(view.exchanges.map((e) => [e.name, e.type])).toEqual([
      ['orders.dlx', 'fanout'],
      ['orders.events', 'topic'],
    ]);
    expect(view.bindings.map((b) => [b.source, b.destination, b.routingKey])).toEqual([
      ['orders.dlx', 'orders.failed', ''],
      ['orders.events', 'orders', 'order.*'],
    ]);
  });

  it('says why when the credentials are wrong', async () => {
    await expect(readMessaging({ ...broker, password: 'wrong' })).rejects.toThrow(
      /^RabbitMQ GET \/(queues|exchanges|bindings) answered 401/,
    );
  });
});
