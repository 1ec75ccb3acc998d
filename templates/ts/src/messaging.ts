// The verification flow over RabbitMQ: publish to a durable queue on the default exchange
// (persistent messages, publisher confirms), and consume it in the same service with prefetch 1 and
// manual acks, as the original platform's mail service did. amqplib's recovery reconnects (and
// re-runs the set-up) whenever the broker goes away, including while it is still starting.
import { type ChannelModel, type ConfirmChannel, connect, type RecoveringChannelModel } from 'amqplib';
import { parseVerificationMessage, type VerificationMessage } from './verification.ts';

export interface Messaging {
  publish(message: VerificationMessage): Promise<void>;
  connected(): boolean;
  /** Resolves once connected (at once when it is); rejects when signal aborts first. */
  whenConnected(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export async function startMessaging(
  url: string,
  queue: string,
  onMessage: (message: VerificationMessage) => void,
  log: (message: string) => void,
): Promise<Messaging> {
  let publisher: ConfirmChannel | undefined;
  const waiters: (() => void)[] = [];
  const setup = async (model: ChannelModel) => {
    const pub = await model.createConfirmChannel();
    await pub.assertQueue(queue, { durable: true });
    const sub = await model.createChannel();
    await sub.prefetch(1);
    await sub.consume(
      queue,
      (msg) => {
        if (msg === null) return; // the broker cancelled the consumer; recovery sets it up again
        const message = parseVerificationMessage(msg.content.toString('utf8'));
        if (message === undefined) {
          log(`dropping a malformed message on ${queue}`);
          sub.nack(msg, false, false);
          return;
        }
        onMessage(message);
        sub.ack(msg);
      },
      { noAck: false },
    );
    publisher = pub;
    log(`connected to RabbitMQ; consuming ${queue}`);
    for (const wake of waiters.splice(0)) wake();
  };
  const model: RecoveringChannelModel = await connect(url, {
    // Without it (amqplib's default), Nagle's algorithm holds the handshake's second frame in a row
    // until RabbitMQ's delayed ACK: every connect took some 40 ms longer, a restart's wait included.
    noDelay: true,
    recovery: { initialDelay: 200, maxDelay: 5_000, setup, waitForConnect: false },
  });
  model.on('disconnect', (error: Error) => {
    publisher = undefined;
    log(`RabbitMQ connection lost (${error.message}); reconnecting`);
  });
  model.on('error', (error: Error) => log(`RabbitMQ: ${error.message}`));
  return {
    connected: () => publisher !== undefined,
    whenConnected: (signal) =>
      publisher !== undefined
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push(resolve);
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
    publish: (message) =>
      new Promise<void>((resolve, reject) => {
        if (publisher === undefined) {
          reject(new Error('not connected to RabbitMQ yet'));
          return;
        }
        const body = Buffer.from(JSON.stringify(message));
        publisher.sendToQueue(queue, body, { persistent: true, contentType: 'text/plain' }, (error) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      }),
    close: () => model.close(),
  };
}
