// What the dashboard shows of RabbitMQ: queues (depth, consumers, rates), the project's exchanges and
// bindings, and which queues are dead-letter queues, all from the management API.
import { api, type RabbitAccess } from './rabbitmq-state.ts';

export interface QueueView {
  readonly name: string;
  readonly vhost: string;
  readonly messages: number;
  readonly consumers: number;
  readonly publishRate: number;
  readonly deliverRate: number;
  /** Some queue dead-letters into it (through its x-dead-letter-exchange), or its name says so. */
  readonly deadLetter: boolean;
}

export interface ExchangeView {
  readonly name: string;
  readonly vhost: string;
  readonly type: string;
}

export interface BindingView {
  readonly source: string;
  readonly destination: string;
  readonly destinationType: string;
  readonly routingKey: string;
  readonly vhost: string;
}

export interface MessagingView {
  readonly queues: readonly QueueView[];
  readonly exchanges: readonly ExchangeView[];
  readonly bindings: readonly BindingView[];
}

interface RawQueue {
  name: string;
  vhost: string;
  messages?: number;
  consumers?: number;
  arguments?: Record<string, unknown>;
  message_stats?: {
    publish_details?: { rate: number };
    deliver_get_details?: { rate: number };
  };
}
interface RawExchange {
  name: string;
  vhost: string;
  type: string;
}
interface RawBinding {
  source: string;
  destination: string;
  destination_type: string;
  routing_key: string;
  vhost: string;
}

const DEAD_LETTER_NAME = /(^|[._-])(dlq|dead[._-]?letters?|dlx)([._-]|$)/i;

/** Queues, and the exchanges and bindings the project declared (not the broker's built-in amq.* ones). */
export async function readMessaging(access: RabbitAccess): Promise<MessagingView> {
  const [queues, exchanges, bindings] = (await Promise.all([
    api(access, 'GET', '/queues'),
    api(access, 'GET', '/exchanges'),
    api(access, 'GET', '/bindings'),
  ])) as [RawQueue[] | undefined, RawExchange[] | undefined, RawBinding[] | undefined];
  const ownBindings = (bindings ?? []).filter((b) => b.source !== '');
  const dlx = new Set(
    (queues ?? []).flatMap((q) => {
      const exchange = q.arguments?.['x-dead-letter-exchange'];
      return typeof exchange === 'string' ? [`${q.vhost}\u0000${exchange}`] : [];
    }),
  );
  const dlxTargets = new Set(
    ownBindings
      .filter((b) => b.destination_type === 'queue' && dlx.has(`${b.vhost}\u0000${b.source}`))
      .map((b) => `${b.vhost}\u0000${b.destination}`),
  );
  return {
    queues: (queues ?? []).map((q) => ({
      name: q.name,
      vhost: q.vhost,
      messages: q.messages ?? 0,
      consumers: q.consumers ?? 0,
      publishRate: q.message_stats?.publish_details?.rate ?? 0,
      deliverRate: q.message_stats?.deliver_get_details?.rate ?? 0,
      deadLetter: dlxTargets.has(`${q.vhost}\u0000${q.name}`) || DEAD_LETTER_NAME.test(q.name),
    })),
    exchanges: (exchanges ?? [])
      .filter((e) => e.name !== '' && !e.name.startsWith('amq.'))
      .map((e) => ({ name: e.name, vhost: e.vhost, type: e.type })),
    bindings: ownBindings.map((b) => ({
      source: b.source,
      destination: b.destination,
      destinationType: b.destination_type,
      routingKey: b.routing_key,
      vhost: b.vhost,
    })),
  };
}
