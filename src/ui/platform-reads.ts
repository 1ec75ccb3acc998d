// The dashboard's reads of the platform, each one a src/platform read turned into a Section (its data,
// or why it could not be read) from the platform's endpoints, found by role (src/platform/role-urls.ts).
import type { Engine } from '../engine/engine.ts';
import { readKvTree } from '../platform/consul-kv-tree.ts';
import { kongRouteMetrics, type RouteMetrics } from '../platform/prometheus-query.ts';
import { type MessagingView, readMessaging } from '../platform/rabbitmq-overview.ts';
import { brokerCredentials, type PlatformUrls } from '../platform/role-urls.ts';
import { mapRoutes, type RouteHop } from '../platform/route-map.ts';
import type { Stack } from '../stack/model.ts';
import type { KvView, Section } from './protocol.ts';

async function section<T>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { data: await read(), at: Date.now() };
  } catch (error) {
    return { error: (error as Error).message, at: Date.now() };
  }
}

/** What each platform URL is, for "not running" messages. */
const WHAT: Readonly<Record<keyof PlatformUrls, string>> = {
  gatewayProxy: "the gateway's proxy",
  gatewayAdmin: "the gateway's admin API",
  discovery: 'the discovery service',
  brokerManagement: "the broker's management API",
  metrics: 'the metrics service',
  traces: 'the trace receiver',
};

function need(urls: PlatformUrls, ...names: (keyof PlatformUrls)[]): string[] {
  const missing = names.filter((n) => !urls[n]);
  if (missing.length > 0)
    throw new Error(`not running (no ${missing.map((n) => WHAT[n]).join(', ')}): run 'mkdev up'`);
  return names.map((n) => urls[n] as string);
}

export function readRoutes(urls: PlatformUrls): Promise<Section<readonly RouteHop[]>> {
  return section(() => {
    const [admin, discovery] = need(urls, 'gatewayAdmin', 'discovery');
    return mapRoutes(admin as string, discovery as string);
  });
}

export function readMessagingSection(stack: Stack, urls: PlatformUrls): Promise<Section<MessagingView>> {
  return section(() => {
    const [managementUrl] = need(urls, 'brokerManagement');
    return readMessaging({ managementUrl: managementUrl as string, ...brokerCredentials(stack) });
  });
}

export function readMetrics(urls: PlatformUrls): Promise<Section<readonly RouteMetrics[]>> {
  return section(() => kongRouteMetrics(need(urls, 'metrics')[0] as string));
}

/**
 * The KV tree, and the keys the stack writes itself (consul_kv_put actions, e.g. kong-migrations)
 * with when their writer finished: Consul keeps no time for a key, the engine keeps the job's.
 */
export function readKv(
  engine: Engine,
  stack: Stack,
  urls: PlatformUrls,
  containerOf: (service: string) => string | undefined,
): Promise<Section<KvView>> {
  return section(async () => {
    const nodes = await readKvTree(need(urls, 'discovery')[0] as string);
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
