import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMessaging } from './rabbitmq-overview.ts';

// The management API's answers as RabbitMQ 4.0 sends them, captured from the real broker by
// test/fixtures/capture-rabbitmq-answers.ts (traffic: test/support/rabbitmq-broker.ts); the same
// traffic on a live broker is rabbitmq-overview.docker.test.ts's.
const ANSWERS = JSON.parse(
  readFileSync(new URL('../../test/fixtures/rabbitmq-management-answers.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

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
    expect(ANSWERS.captured).toMatch(/^RabbitMQ 4\./);
    const view = await readMessaging({ managementUrl: url, user: 'mkdev', password: 'pw' });
    expect(view.queues.map((q) => q.name)).toEqual(['billing-dlq', 'orders', 'orders.failed', 'plain']);
    expect(view.queues.find((q) => q.name === 'orders')).toEqual({
      name: 'orders',
      vhost: '/',
      messages: 51,
      consumers: 1,
      publishRate: 9.8,
      deliverRate: 4.8,
      deadLetter: false,
    });
    // A queue nothing went through has no message_stats at all in 4.0: its rates are 0.
    expect(view.queues.find((q) => q.name === 'plain')).toMatchObject({
      messages: 0,
      publishRate: 0,
      deliverRate: 0,
    });
    // Neither the default exchange nor the broker's amq.* ones (4.0 adds amq.rabbitmq.trace).
    expect(view.exchanges).toEqual([
      { name: 'orders.dlx', vhost: '/', type: 'fanout' },
      { name: 'orders.events', vhost: '/', type: 'topic' },
    ]);
    expect(view.bindings).toEqual([
      {
        source: 'orders.dlx',
        destination: 'orders.failed',
        destinationType: 'queue',
        routingKey: '',
        vhost: '/',
      },
      {
        source: 'orders.events',
        destination: 'orders',
        destinationType: 'queue',
        routingKey: 'order.*',
        vhost: '/',
      },
    ]);
    expect(seen.every((s) => s.endsWith(`Basic ${Buffer.from('mkdev:pw').toString('base64')}`))).toBe(true);
  });

  it("flags dead-letter queues: bound to a queue's dead-letter exchange, or named so", async () => {
    const view = await readMessaging({ managementUrl: url, user: 'mkdev', password: 'pw' });
    const flagged = view.queues.filter((q) => q.deadLetter).map((q) => q.name);
    expect(flagged).toEqual(['billing-dlq', 'orders.failed']);
  });
});
