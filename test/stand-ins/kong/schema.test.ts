// The database `kong migrations bootstrap` leaves: Kong 3.9's tables (src/schema-39.ts, from
// kong/db/migrations/core/*.lua), entities written as Kong's DAO writes them (ws_id, cache keys,
// tags mirrored by triggers) and rows past their TTL cleaned up. PARITY.md cites the migrations.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KongNode, runKong, startKong, waitFor } from './helpers/kong.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';

let pgServer: TestPostgres;
let env: Record<string, string>;
let kong: KongNode;

async function sql(text: string, values: unknown[] = []) {
  const c = new pg.Client({
    host: env.KONG_PG_HOST,
    port: Number(env.KONG_PG_PORT),
    user: env.KONG_PG_USER,
    password: env.KONG_PG_PASSWORD,
    database: env.KONG_PG_DATABASE,
  });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  pgServer = await startPostgres();
  env = await freshDatabase(pgServer);
  const boot = await runKong(['migrations', 'bootstrap'], env);
  expect(boot.code, boot.stderr).toBe(0);
  kong = await startKong({ ...env, KONG__DEBUG_PG_TTL_CLEANUP_INTERVAL: '1' });
});
afterAll(async () => {
  await kong?.stop();
  await pgServer?.stop();
});

const WORKSPACEABLE = [
  'certificates',
  'consumers',
  'filter_chains',
  'key_sets',
  'keys',
  'plugins',
  'routes',
  'services',
  'sm_vaults',
  'snis',
  'targets',
  'upstreams',
];

describe("Kong 3.9's schema", () => {
  it('has the tables of the core migrations and nothing else', async () => {
    const tables = (
      await sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
    ).map((r) => r.table_name);
    expect(tables).toEqual([
      'ca_certificates',
      'certificates',
      'cluster_events',
      'clustering_data_planes',
      'clustering_rpc_requests',
      'clustering_sync_delta',
      'clustering_sync_version',
      'consumers',
      'filter_chains',
      'key_sets',
      'keys',
      'locks',
      'parameters',
      'plugins',
      'routes',
      'schema_meta',
      'services',
      'sm_vaults',
      'snis',
      'tags',
      'targets',
      'upstreams',
      'workspaces',
    ]);
  });

  it('workspaces: a default one, ws_id on every workspaceable table, without a default value', async () => {
    const [ws] = await sql("SELECT id FROM workspaces WHERE name = 'default'");
    expect(ws?.id).toMatch(/^[0-9a-f-]{36}$/);
    const cols = await sql(
      `SELECT table_name, column_default FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name = 'ws_id' AND table_name <> 'clustering_sync_delta'
        ORDER BY 1`,
    );
    expect(cols.map((c) => c.table_name)).toEqual(WORKSPACEABLE);
    expect(cols.every((c) => c.column_default === null)).toBe(true);
    const [cluster] = await sql("SELECT value FROM parameters WHERE key = 'cluster_id'");
    expect(cluster?.value).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keys: names unique per workspace, foreign keys carry the workspace', async () => {
    const constraints = await sql(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace ORDER BY conname`,
    );
    const def = (name: string) => constraints.find((c) => c.conname === name)?.def;
    expect(def('services_ws_id_name_unique')).toBe('UNIQUE (ws_id, name)');
    expect(def('routes_ws_id_name_unique')).toBe('UNIQUE (ws_id, name)');
    expect(def('upstreams_ws_id_name_unique')).toBe('UNIQUE (ws_id, name)');
    expect(def('consumers_ws_id_username_unique')).toBe('UNIQUE (ws_id, username)');
    expect(def('plugins_ws_id_instance_name_unique')).toBe('UNIQUE (ws_id, instance_name)');
    expect(def('routes_service_id_fkey')).toBe(
      'FOREIGN KEY (service_id, ws_id) REFERENCES services(id, ws_id)',
    );
    expect(def('plugins_route_id_fkey')).toBe(
      'FOREIGN KEY (route_id, ws_id) REFERENCES routes(id, ws_id) ON DELETE CASCADE',
    );
    expect(def('targets_upstream_id_fkey')).toBe(
      'FOREIGN KEY (upstream_id, ws_id) REFERENCES upstreams(id, ws_id) ON DELETE CASCADE',
    );
    for (const t of WORKSPACEABLE.filter(
      (t) => !['filter_chains', 'key_sets', 'keys', 'sm_vaults'].includes(t),
    ))
      expect(def(`${t}_id_ws_id_unique`)).toBe('UNIQUE (id, ws_id)');
    // services.name is no longer unique on its own (009_200_to_210 dropped services_name_key)
    expect(def('services_name_key')).toBeUndefined();
    expect(def('snis_name_key')).toBe('UNIQUE (name)');
  });

  it('triggers: tags mirrored from the entity tables; TTL deletes on cluster_events and data planes', async () => {
    const triggers = (
      await sql(
        "SELECT DISTINCT trigger_name FROM information_schema.triggers WHERE trigger_schema = 'public' ORDER BY 1",
      )
    ).map((r) => r.trigger_name);
    expect(triggers).toEqual([
      'ca_certificates_sync_tags_trigger',
      'certificates_sync_tags_trigger',
      'cluster_events_ttl_trigger',
      'clustering_data_planes_ttl_trigger',
      'consumers_sync_tags_trigger',
      'filter_chains_sync_tags_trigger',
      'key_sets_sync_tags_trigger',
      'keys_sync_tags_trigger',
      'plugins_sync_tags_trigger',
      'routes_sync_tags_trigger',
      'services_sync_tags_trigger',
      'sm_vaults_sync_tags_trigger',
      'snis_sync_tags_trigger',
      'targets_sync_tags_trigger',
      'upstreams_sync_tags_trigger',
    ]);
  });

  it('Admin API writes rows as the DAO does: ws_id, cache keys, tags in the tags table', async () => {
    const [ws] = await sql("SELECT id FROM workspaces WHERE name = 'default'");
    const svc = await kong.api('POST', '/services', {
      name: 'billing',
      url: 'http://billing.internal:8080/v1',
      tags: ['team-a'],
    });
    expect(svc.status).toBe(201);
    const [row] = await sql(
      'SELECT ws_id, host, port, path, EXTRACT(EPOCH FROM created_at) AS created FROM services WHERE name = $1',
      ['billing'],
    );
    expect(row).toMatchObject({ ws_id: ws?.id, host: 'billing.internal', port: '8080', path: '/v1' });
    expect(Number(row?.created)).toBe(svc.body.created_at);
    const [tag] = await sql('SELECT entity_name, tags FROM tags WHERE entity_id = $1', [svc.body.id]);
    expect(tag).toEqual({ entity_name: 'services', tags: ['team-a'] });
    const plugin = await kong.api('POST', '/services/billing/plugins', { name: 'prometheus' });
    expect(plugin.status).toBe(201);
    const [p] = await sql('SELECT cache_key FROM plugins WHERE id = $1', [plugin.body.id]);
    expect(p?.cache_key).toBe(`plugins:prometheus::${svc.body.id}:::${ws?.id}`);
    await kong.api('POST', '/upstreams', { name: 'pool' });
    const target = await kong.api('POST', '/upstreams/pool/targets', { target: '10.0.0.1:80' });
    const [t] = await sql('SELECT cache_key, upstream_id FROM targets WHERE id = $1', [target.body.id]);
    expect(t?.cache_key).toBe(`targets:${t?.upstream_id}:10.0.0.1:80::::${ws?.id}`);
    // deleting the entity removes its tags (sync_tags on DELETE)
    await kong.api('DELETE', `/plugins/${plugin.body.id}`);
    await kong.api('DELETE', '/services/billing');
    expect(await sql('SELECT 1 FROM tags WHERE entity_id = $1', [svc.body.id])).toEqual([]);
  });

  it('rows past their TTL go: on the next insert (trigger) and by the cleanup timer', async () => {
    const expired = "CURRENT_TIMESTAMP - interval '1 minute'";
    await sql(
      `INSERT INTO cluster_events (id, node_id, at, expire_at, channel, data)
       VALUES (gen_random_uuid(), gen_random_uuid(), ${expired}, ${expired}, 'old', 'x')`,
    );
    await sql(
      `INSERT INTO cluster_events (id, node_id, at, expire_at, channel, data)
       VALUES (gen_random_uuid(), gen_random_uuid(), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP + interval '1 hour', 'new', 'y')`,
    );
    expect(
      (await sql("SELECT channel FROM cluster_events WHERE channel IN ('old', 'new')")).map((r) => r.channel),
    ).toEqual(['new']);
    // one row alone: the statement trigger fires with it, so only the timer removes it once expired
    await sql(
      `INSERT INTO clustering_data_planes (id, hostname, ip, config_hash, ttl)
       VALUES (gen_random_uuid(), 'dp', '10.0.0.2', 'h', CURRENT_TIMESTAMP + interval '1 second')`,
    );
    await waitFor(
      'the cleanup timer',
      async () => (await sql('SELECT 1 FROM clustering_data_planes')).length === 0,
    );
  });
});
