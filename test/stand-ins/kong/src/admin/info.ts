// Node-level endpoints: `GET /`, `GET /status`, `GET /plugins/enabled`, `GET /upstreams/{u}/health`.
import { publicConfiguration } from '../config.ts';
import { reachable } from '../db.ts';
import type { Runtime } from '../runtime.ts';
import { KONG_VERSION, LUA_VERSION } from '../version.ts';
import { findByKey } from './crud.ts';
import { notFound } from './errors.ts';
import { availableOnServer } from './plugin-schemas.ts';
import { ENTITIES } from './schemas.ts';

export async function root(rt: Runtime): Promise<Record<string, unknown>> {
  const enabled = rt.store
    ? (await rt.store.db.query('SELECT DISTINCT name FROM plugins ORDER BY name')).rows.map((r) =>
        String(r.name),
      )
    : [];
  return {
    tagline: 'Welcome to kong',
    version: KONG_VERSION,
    edition: 'community',
    hostname: rt.hostname,
    node_id: rt.nodeId,
    timers: { running: 0, pending: 1 },
    plugins: { available_on_server: availableOnServer(), enabled_in_cluster: enabled },
    lua_version: LUA_VERSION,
    configuration: publicConfiguration(rt.config),
    pids: { master: process.pid, workers: [process.pid] },
  };
}

const mib = (n: number): string => `${(n / 1048576).toFixed(2)} MiB`;

export async function status(rt: Runtime): Promise<Record<string, unknown>> {
  const m = rt.metrics;
  const dicts: Record<string, { capacity: string; allocated_slabs: string }> = {};
  for (const [k, cap] of [
    ['kong', 5],
    ['kong_locks', 8],
    ['kong_healthchecks', 5],
    ['kong_cluster_events', 5],
    ['kong_core_db_cache', 128],
    ['kong_db_cache', 128],
    ['prometheus_metrics', 5],
  ] as const) {
    dicts[k] = { capacity: mib(cap * 1048576), allocated_slabs: mib(40960) };
  }
  const out: Record<string, unknown> = {
    memory: {
      lua_shared_dicts: dicts,
      workers_lua_vms: [{ http_allocated_gc: mib(process.memoryUsage().heapUsed), pid: process.pid }],
    },
    server: {
      connections_accepted: m.accepted,
      connections_active: m.active,
      connections_handled: m.handled,
      connections_reading: m.reading,
      connections_waiting: Math.max(0, m.active - m.reading - m.writing),
      connections_writing: m.writing,
      total_requests: m.totalRequests,
    },
  };
  if (rt.store) {
    rt.dbReachable = await reachable(rt.store.db);
    out.database = { reachable: rt.dbReachable };
  } else {
    out.configuration_hash = '00000000000000000000000000000000';
  }
  return out;
}

export function pluginsEnabled(): Record<string, unknown> {
  return { enabled_plugins: Object.keys(availableOnServer()) };
}

export async function upstreamHealth(rt: Runtime, key: string): Promise<Record<string, unknown>> {
  const u = rt.store ? await findByKey(rt.store, ENTITIES.upstreams, decodeURIComponent(key)) : null;
  if (!u || !rt.store) throw notFound();
  const { rows } = await rt.store.page(ENTITIES.targets, {
    size: 1000,
    after: null,
    where: { upstream_id: u.id },
    tags: null,
    tagsCond: 'and',
  });
  const data = rows
    .filter((t) => Number(t.weight) > 0)
    .map((t) => ({ ...t, health: 'HEALTHCHECKS_OFF', data: { addresses: [] } }));
  return { data, next: null, node_id: rt.nodeId };
}
