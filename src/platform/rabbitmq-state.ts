// RabbitMQ for snapshots: the broker's definitions (users, vhosts, exchanges, queues, bindings) from
// the management API. Restore re-imports them and leaves every queue empty: a reset between tests.
// `api` is also how the dashboard reads queues (rabbitmq-overview.ts): one client for the broker.
import { request } from 'undici';

export interface RabbitAccess {
  readonly managementUrl: string;
  readonly user: string;
  readonly password: string;
}

interface QueueRef {
  readonly name: string;
  readonly vhost: string;
}

export async function api(
  access: RabbitAccess,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
) {
  const res = await request(`${access.managementUrl}/api${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${access.user}:${access.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300 && res.statusCode !== 404) {
    throw new Error(`RabbitMQ ${method} ${path} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export function exportDefinitions(access: RabbitAccess): Promise<unknown> {
  return api(access, 'GET', '/definitions');
}

export async function importDefinitions(access: RabbitAccess, definitions: unknown): Promise<void> {
  const wanted = new Set(
    ((definitions as { queues?: QueueRef[] }).queues ?? []).map((q) => `${q.vhost}\u0000${q.name}`),
  );
  const current = ((await api(access, 'GET', '/queues')) as QueueRef[] | undefined) ?? [];
  const path = (q: QueueRef) => `/queues/${encodeURIComponent(q.vhost)}/${encodeURIComponent(q.name)}`;
  await Promise.all(
    current.map((q) =>
      // Queues the snapshot knows are purged (their consumers stay attached); others are deleted.
      wanted.has(`${q.vhost}\u0000${q.name}`)
        ? api(access, 'DELETE', `${path(q)}/contents`)
        : api(access, 'DELETE', path(q)),
    ),
  );
  await api(access, 'POST', '/definitions', definitions);
}
