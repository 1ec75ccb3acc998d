// When a node rebuilds its router (kong/runloop/handler.lua, kong/cluster_events): its own Admin API
// writes and other nodes' cluster events, never a database fingerprint; worker_consistency decides
// whether a pending rebuild waits for the worker_state_update_frequency timer (eventual) or happens
// before the next request (strict).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KongNode, runKong, serviceWithRoute, startKong, waitFor } from './helpers/kong.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';
import { type Echo, startEcho } from './helpers/upstream.ts';

let pgServer: TestPostgres;
let echo: Echo;
const nodes: KongNode[] = [];

beforeAll(async () => {
  pgServer = await startPostgres();
  echo = await startEcho('e');
});
afterAll(async () => {
  for (const n of nodes) await n.stop();
  await echo?.close();
  await pgServer?.stop();
});

async function database(): Promise<Record<string, string>> {
  const env = await freshDatabase(pgServer);
  const boot = await runKong(['migrations', 'bootstrap'], env);
  expect(boot.code, boot.stderr).toBe(0);
  return env;
}

async function node(env: Record<string, string>): Promise<KongNode> {
  const n = await startKong(env);
  nodes.push(n);
  return n;
}

const register = (k: KongNode, name: string) =>
  serviceWithRoute(k, name, { host: '127.0.0.1', port: echo.port });

const status = async (k: KongNode, path: string) => (await fetch(`${k.proxy}${path}`)).status;

async function sql(env: Record<string, string>, text: string, values: unknown[] = []) {
  const c = new pg.Client({
    host: env.KONG_PG_HOST,
    port: Number(env.KONG_PG_PORT),
    user: env.KONG_PG_USER,
    password: env.KONG_PG_PASSWORD,
    database: env.KONG_PG_DATABASE,
  });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}

describe('worker_consistency', () => {
  it('eventual (the default): an Admin API route waits for the worker_state_update_frequency timer', async () => {
    const env = await database();
    // a timer that never fires during the test: the route stays unrouted though it is in the database
    const slow = await node({ ...env, KONG_WORKER_STATE_UPDATE_FREQUENCY: '3600' });
    await register(slow, 'later');
    expect((await slow.api('GET', '/routes/later')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect(await status(slow, '/later')).toBe(404);
    // with a 1 s timer the same write is routed once the timer has rebuilt the router
    const env2 = await database();
    const quick = await node({ ...env2, KONG_WORKER_STATE_UPDATE_FREQUENCY: '1' });
    await register(quick, 'soon');
    await waitFor('rebuild timer', async () => (await status(quick, '/soon')) === 200);
  });

  it('strict: the router is rebuilt before the next proxied request', async () => {
    const env = await database();
    const k = await node({
      ...env,
      KONG_WORKER_CONSISTENCY: 'strict',
      KONG_WORKER_STATE_UPDATE_FREQUENCY: '3600',
    });
    await register(k, 'now');
    expect(await status(k, '/now')).toBe(200);
    // a service update invalidates the router too: the next request already goes to the new host
    expect((await k.api('PATCH', '/services/now', { port: 1 })).status).toBe(200);
    expect(await status(k, '/now')).toBe(502);
  });

  it('refuses an unknown worker_consistency', async () => {
    const r = await runKong(['docker-start'], { KONG_WORKER_CONSISTENCY: 'sometimes' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("worker_consistency has an invalid value: 'sometimes' (strict, eventual)");
  });
});

describe('two nodes on one database (cluster events)', () => {
  let env: Record<string, string>;
  let a: KongNode;
  let b: KongNode;
  beforeAll(async () => {
    env = await database();
    const common = { ...env, KONG_WORKER_CONSISTENCY: 'strict', KONG_DB_UPDATE_FREQUENCY: '1' };
    a = await node(common);
    b = await node(common);
  });

  it('an Admin API write inserts a cluster event; the other node routes after its next poll', async () => {
    await register(a, 'shared');
    expect(await status(a, '/shared')).toBe(200);
    const nodeA = (await a.api('GET', '/')).body.node_id;
    const rows = await sql(env, 'SELECT node_id, channel, data FROM cluster_events ORDER BY at');
    expect(rows.rows).toContainEqual({
      node_id: nodeA,
      channel: 'invalidations_kong_core_db_cache',
      data: 'router:version',
    });
    await waitFor('node B polled the event', async () => (await status(b, '/shared')) === 200);
  });

  it('a direct database write (a restore) is never routed until restart', async () => {
    const svc = (await a.api('GET', '/services/shared')).body;
    const id = '00000000-0000-4000-8000-00000000d1ec';
    // a row as Kong 3.9's routes table holds it (schema-39.ts), in the default workspace
    await sql(
      env,
      `INSERT INTO routes (id, created_at, updated_at, name, service_id, protocols, paths, strip_path,
         preserve_host, regex_priority, path_handling, https_redirect_status_code, request_buffering,
         response_buffering, ws_id)
       VALUES ($1, to_timestamp(1), to_timestamp(1), 'direct', $2, '{http,https}', '{/direct}', true,
         false, 0, 'v0', 426, true, true, (SELECT id FROM workspaces WHERE name = 'default'))`,
      [id, svc.id],
    );
    expect((await a.api('GET', '/routes/direct')).status).toBe(200);
    expect(await status(a, '/direct')).toBe(404);
    expect(await status(b, '/direct')).toBe(404);
    // an event after the write (a plugin) reaches B and rebuilds its plugins, not its router: B's
    // /metrics shows request counts once its plugins iterator has the prometheus plugin
    await a.api('POST', '/plugins', { name: 'prometheus', config: { status_code_metrics: true } });
    await waitFor('B saw the plugins event', async () => {
      await fetch(`${b.proxy}/shared`);
      return (await (await fetch(`${b.status}/metrics`)).text()).includes(
        'kong_http_requests_total{service="shared"',
      );
    });
    expect(await status(b, '/direct')).toBe(404);
    expect(await status(a, '/direct')).toBe(404);
    await b.stop();
    const b2 = await node({ ...env, KONG_WORKER_CONSISTENCY: 'strict' });
    expect(await status(b2, '/direct')).toBe(200);
  });
});
