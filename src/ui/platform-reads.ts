// The dashboard's reads of the platform, each one a src/platform read turned into a Section (its data,
// or why it could not be read) from the endpoints the stack exports.
import type { Engine } from '../engine/engine.ts';
import { readKvTree } from '../platform/consul-kv-tree.ts';
import { kongRouteMetrics, type RouteMetrics } from '../platform/prometheus-query.ts';
import { type MessagingView, readMessaging } from '../platform/rabbitmq-overview.ts';
import { mapRoutes, type RouteHop } from '../platform/route-map.ts';
import type { Stack } from '../stack/model.ts';
import type { KvView, Section } from './protocol.ts';

export type Endpoints = Readonly<Record<string, string>>;

async function section<T>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { data: await read(), at: Date.now() };
  } catch (error) {
    return { error: (error as Error).message, at: Date.now() };
  }
}

function need(endpoints: Endpoints, ...names: string[]): string[] {
  const missing = names.filter((n) => !endpoints[n]);
  if (missing.length > 0) throw new Error(`not running (no ${missing.join(', ')}): run 'mkdev up'`);
  return names.map((n) => endpoints[n] as string);
}

export function readRoutes(endpoints: Endpoints): Promise<Section<readonly RouteHop[]>> {
  return section(() => {
    const [admin, consul] = need(endpoints, 'MKDEV_KONG_ADMIN_URL', 'MKDEV_CONSUL_URL');
    return mapRoutes(admin as string, consul as string);
  });
}

export function readMessagingSection(stack: Stack, endpoints: Endpoints): Promise<Section<MessagingView>> {
  return section(() => {
    const [managementUrl] = need(endpoints, 'MKDEV_RABBITMQ_MANAGEMENT_URL');
    const env = stack.services.rabbitmq?.env ?? {};
    return readMessaging({
      managementUrl: managementUrl as string,
      user: env.RABBITMQ_DEFAULT_USER ?? 'guest',
      password: env.RABBITMQ_DEFAULT_PASS ?? 'guest',
    });
  });
}

export function readMetrics(endpoints: Endpoints): Promise<Section<readonly RouteMetrics[]>> {
  return section(() => kongRouteMetrics(need(endpoints, 'MKDEV_PROMETHEUS_URL')[0] as string));
}

/**
 * The KV tree, and the keys the stack writes itself (consul_kv_put actions, e.g. kong-migrations)
 * with when their writer finished: Consul keeps no time for a key, the engine keeps the job's.
 */
export function readKv(
  engine: Engine,
  stack: Stack,
  endpoints: Endpoints,
  containerOf: (service: string) => string | undefined,
): Promise<Section<KvView>> {
  return section(async () => {
    const nodes = await readKvTree(need(endpoints, 'MKDEV_CONSUL_URL')[0] as string);
    const writers = Object.values(stack.services).flatMap((s) =>
      [...s.afterCompleted, ...s.afterReady].flatMap((a) =>
        a.kind === 'consul_kv_put' ? [{ key: a.key, by: s.name, oneShot: s.oneShot }] : [],
      ),
    );
    const written = await Promise.all(
      writers.map(async (w) => {
        const name = containerOf(w.by);
        if (!w.oneShot || name === undefined) return { key: w.key, by: w.by };
        const at = (await engine.inspect({ id: name, service: w.by }))?.finishedAt;
        return at ? { key: w.key, by: w.by, at } : { key: w.key, by: w.by };
      }),
    );
    return { nodes, written };
  });
}
