import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMessaging } from './rabbitmq-overview.ts';

// The management API's answers, trimmed to the fields read, as RabbitMQ 3.10 sends them.
const ANSWERS: Record<string, unknown> = {
  '/api/queues': [
    {
      name: 'orders',
      vhost: '/',
      messages: 3,
      consumers: 1,
      arguments: { 'x-dead-letter-exchange': 'orders.dlx' },
      message_stats: { publish_details: { rate: 2.5 }, deliver_get_details: { rate: 1.5 } },
    },
    { name: 'orders.failed', vhost: '/', messages: 2, consumers: 0, arguments: {} },
    { name: 'billing-dlq', vhost: '/', messages: 0, consumers: 0, arguments: {} },
    { name: 'plain', vhost: '/', messages: 0, consumers: 0, arguments: {} },
  ],
  '/api/exchanges': [
    { name: '', vhost: '/', type: 'direct' },
    { name: 'amq.topic', vhost: '/', type: 'topic' },
    { name: 'orders.dlx', vhost: '/', type: 'fanout' },
  ],
  '/api/bindings': [
    { source: '', destination: 'orders', destination_type: 'queue', routing_key: 'orders', vhost: '/' },
    {
      source: 'orders.dlx',
      destination: 'orders.failed',
      destination_type: 'queue',
      routing_key: '',
      vhost: '/',
    },
  ],
};

let server: Server;
let url = '';
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(ANSWERS[req.url ?? ''] ?? []));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('readMessaging', () => {
  it("reads queues with their rates, the project's exchanges and bindings, with the broker's credentials", async () => {
    const view = await readMessaging({ managementUrl: url, user: 'mkdev', password: 'pw' });
    expect(view.queues.find((q) => q.name === 'orders')).toMatchObject({
      messages: 3,
      consumers: 1,
      publishRate: 2.5,
      deliverRate: 1.5,
      deadLetter: false,
    });
    expect(view.exchanges.map((e) => e.name)).toEqual(['orders.dlx']);
    expect(view.bindings).toEqual([
      {
        source: 'orders.dlx',
        destination: 'orders.failed',
        destinationType: 'queue',
        routingKey: '',
        vhost: '/',
      },
    ]);
    expect(seen.every((s) => s.endsWith(`Basic ${Buffer.from('mkdev:pw').toString('base64')}`))).toBe(true);
  });

  it("flags dead-letter queues: bound to a queue's dead-letter exchange, or named so", async () => {
    const view = await readMessaging({ managementUrl: url, user: 'mkdev', password: 'pw' });
    const flagged = view.queues.filter((q) => q.deadLetter).map((q) => q.name);
    expect(flagged).toEqual(['orders.failed', 'billing-dlq']);
  });
});
