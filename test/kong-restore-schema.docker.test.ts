// snapshot()/restore() on Kong 3.9's own schema (the stand-in keeps Kong's tables:
// test/stand-ins/kong/src/schema-39.ts): workspaces and ws_id foreign keys, the tags table its
// triggers fill, cluster_events, sequences. A restore replays pg_dump's output; Kong must then route
// exactly what it routed at the snapshot, and its rows must be Kong's again.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireImage } from '../images/lib/test-docker.ts';
import { startStack, type TestStack } from '../src/testing/start-stack.ts';
import { eventually, OFFLINE_IMAGE_MAP } from './support/cli.ts';

const imageMap = parse(readFileSync(OFFLINE_IMAGE_MAP, 'utf8')) as { images: Record<string, string> };
await requireImage(imageMap.images['kong:3.9'] ?? '');

let stack: TestStack;
const admin = () => stack.env.MKDEV_KONG_ADMIN_URL ?? '';
const proxy = () => stack.env.MKDEV_KONG_PROXY_URL ?? '';

async function call(method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  // Accept: JSON, or Kong's error pages come as text/plain (error_default_type)
  const res = await request(url, {
    method,
    headersTimeout: 10_000,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text === '' ? undefined : JSON.parse(text) };
}

async function sql(text: string) {
  const client = new pg.Client({ connectionString: stack.env.MKDEV_POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** What Kong serves, by name: routes with paths and service, services, plugins (name and scope). */
async function configuration() {
  const routes = (await call('GET', `${admin()}/routes`)).json.data as { name: string; paths: string[] }[];
  const services = (await call('GET', `${admin()}/services`)).json.data as {
    name: string;
    tags: string[] | null;
  }[];
  const plugins = (await call('GET', `${admin()}/plugins`)).json.data as { name: string; service: unknown }[];
  return {
    routes: routes.map((r) => `${r.name} ${r.paths.join(',')}`).sort(),
    services: services.map((s) => `${s.name} ${(s.tags ?? []).join(',')}`).sort(),
    plugins: plugins.map((p) => `${p.name} ${p.service ? 'service' : 'global'}`).sort(),
  };
}

/** The status each path answers through Kong once its router caught up. */
const routed = (path: string, status: number) =>
  eventually(
    async () => ((await call('GET', `${proxy()}${path}`)).status === status ? true : undefined),
    30_000,
    `${path} to answer ${status}`,
  );

describe('restore() on the Kong 3.9 schema', () => {
  beforeAll(async () => {
    stack = await startStack({ services: ['kong'], images: OFFLINE_IMAGE_MAP });
  }, 600_000);
  afterAll(() => stack?.stop());

  it('Kong routes exactly as at the snapshot; its rows carry the workspace and their tags again', async () => {
    // a service that goes nowhere: routed, Kong answers 502; not routed, 404
    expect(
      (await call('PUT', `${admin()}/services/kept`, { url: 'http://127.0.0.1:9', tags: ['team-a'] })).status,
    ).toBe(200);
    expect(
      (await call('PUT', `${admin()}/routes/kept`, { paths: ['/kept'], service: { name: 'kept' } })).status,
    ).toBe(200);
    expect((await call('POST', `${admin()}/services/kept/plugins`, { name: 'prometheus' })).status).toBe(201);
    await routed('/kept', 502);
    const before = await configuration();
    const snapshot = await stack.snapshot();

    // everything changes: a route moves, a service and route are added, the plugin goes, tags change
    expect((await call('PATCH', `${admin()}/routes/kept`, { paths: ['/moved'] })).status).toBe(200);
    expect((await call('PATCH', `${admin()}/services/kept`, { tags: ['team-b'] })).status).toBe(200);
    expect((await call('PUT', `${admin()}/services/later`, { url: 'http://127.0.0.1:9' })).status).toBe(200);
    expect(
      (await call('PUT', `${admin()}/routes/later`, { paths: ['/later'], service: { name: 'later' } }))
        .status,
    ).toBe(200);
    const scoped = (await call('GET', `${admin()}/services/kept/plugins`)).json.data[0];
    expect((await call('DELETE', `${admin()}/plugins/${scoped.id}`)).status).toBe(204);
    await routed('/later', 502);
    await routed('/moved', 502);
    expect(await configuration()).not.toEqual(before);

    await stack.restore(snapshot);

    expect(await configuration()).toEqual(before);
    await routed('/kept', 502);
    expect((await call('GET', `${proxy()}/moved`)).status).toBe(404);
    expect((await call('GET', `${proxy()}/later`)).status).toBe(404);
    // Kong's tables as the snapshot had them: the default workspace, ws_id on the rows, the tags
    // table (filled by triggers) matching the services' tags, a service's plugin with its cache key
    const [ws] = await sql("SELECT id FROM workspaces WHERE name = 'default'");
    const services = await sql('SELECT name, ws_id, tags FROM services ORDER BY name');
    expect(services).toEqual([{ name: 'kept', ws_id: ws?.id, tags: ['team-a'] }]);
    expect(
      await sql("SELECT t.tags FROM tags t JOIN services s ON s.id = t.entity_id WHERE s.name = 'kept'"),
    ).toEqual([{ tags: ['team-a'] }]);
    const [plugin] = await sql(
      "SELECT p.cache_key, s.id AS service FROM plugins p JOIN services s ON s.id = p.service_id WHERE p.name = 'prometheus'",
    );
    expect(plugin?.cache_key).toBe(`plugins:prometheus::${plugin?.service}:::${ws?.id}`);
    // the triggers came back with the schema: a write through Kong mirrors its tags again
    expect((await call('PATCH', `${admin()}/services/kept`, { tags: ['team-c'] })).status).toBe(200);
    expect(
      await sql("SELECT t.tags FROM tags t JOIN services s ON s.id = t.entity_id WHERE s.name = 'kept'"),
    ).toEqual([{ tags: ['team-c'] }]);
  }, 600_000);
});
