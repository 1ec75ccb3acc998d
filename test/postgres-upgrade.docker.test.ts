// A project's Postgres data made by PostgreSQL 15 (Debian 12's, as `postgres:15`), then the stack's
// PostgreSQL 17 (Debian 13's, `postgres:17`): `up` refuses, `mkdev upgrade postgres` moves the data
// with the real pg_dumpall and psql, and every row, role and password comes back, Kong's own tables
// (after its migrations ran on them) included.
import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, parseEnv, projectResources, removeProject, testProject } from './support/cli.ts';

const ON_15 = 'services:\n  postgres:\n    image: postgres:15\n';
const ON_17 = 'services: {}\n';

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const inDatabase = (url: string, database: string, user?: { user: string; password: string }) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user) {
    u.username = user.user;
    u.password = user.password;
  }
  return u.toString();
};

/**
 * Every row of every table of each database, in a stable order, as text: the test's own reading,
 * independent of the inventory mkdev compares with.
 */
async function everyRow(url: string, databases: readonly string[]): Promise<Record<string, string>> {
  const rows: Record<string, string> = {};
  for (const database of databases) {
    await withClient(inDatabase(url, database), async (client) => {
      const tables = await client.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
         ORDER BY 1, 2`,
      );
      for (const { schema, name } of tables.rows) {
        const ident = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;
        const result = await client.query<{ row: string }>(
          `SELECT to_jsonb(t)::text AS row FROM ${ident} t ORDER BY 1`,
        );
        rows[`${database}/${schema}.${name}`] = result.rows.map((r) => r.row).join('\n');
      }
    });
  }
  return rows;
}

const DATABASES = ['kong', 'appdb', 'analytics'];

async function containerOf(project: string, service: string) {
  const { containers } = await projectResources(project);
  return containers.find((c) => c.Labels['dev.mkdev.service'] === service);
}

describe('a Postgres 15 volume under the PostgreSQL 17 image', () => {
  const project = testProject('pgupgrade', { 'mkdev.yaml': ON_15 });
  const volume = `${project.name}_postgres-data`;
  let env: Record<string, string> = {};
  let before: Record<string, string> = {};

  beforeAll(async () => {
    // The volume as an mkdev without data labels made it: the version can only come from the data.
    await docker.createVolume({
      Name: volume,
      Labels: { 'dev.mkdev.project': project.name, 'dev.mkdev.version': '0.1.0' },
    });
    const up = await project.run(['up', 'kong']);
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    env = parseEnv((await project.run(['env', '--show-secrets'])).stdout);
    const url = env.MKDEV_POSTGRES_URL as string;
    await withClient(url, async (kong) => {
      await kong.query(`CREATE ROLE app LOGIN PASSWORD 'app secret'`);
      await kong.query('CREATE ROLE reader NOLOGIN');
      await kong.query('CREATE DATABASE appdb OWNER app');
      await kong.query('CREATE DATABASE analytics');
    });
    await withClient(inDatabase(url, 'appdb', { user: 'app', password: 'app secret' }), async (app) => {
      await app.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL,
        total numeric(10, 2), placed timestamptz, tags text[], doc jsonb)`);
      await app.query(`INSERT INTO orders (customer, total, placed, tags, doc)
        SELECT 'customer ' || g, g * 1.25, timestamptz '2026-01-01' + g * interval '1 hour',
          ARRAY['t' || (g % 7)], jsonb_build_object('n', g, 'even', g % 2 = 0)
        FROM generate_series(1, 500) g`);
      await app.query('CREATE SCHEMA billing');
      await app.query(`CREATE TABLE billing."Invoice Lines" (order_id int REFERENCES orders, line int,
        note text, PRIMARY KEY (order_id, line))`);
      await app.query(`INSERT INTO billing."Invoice Lines" SELECT g, 1, CASE WHEN g % 3 = 0 THEN NULL ELSE 'ünïcode ✓ ' || g END
        FROM generate_series(1, 200) g`);
      await app.query('GRANT SELECT ON orders TO reader');
    });
    await withClient(inDatabase(url, 'analytics'), async (kong) => {
      await kong.query('CREATE TABLE events (at timestamptz, payload bytea, score double precision)');
      await kong.query(`INSERT INTO events SELECT timestamptz '2026-02-01' + g * interval '1 minute',
        decode(md5(g::text), 'hex'), g / 3.0 FROM generate_series(1, 2000) g`);
    });
    // Rows in Kong's own tables, written by Kong (the stand-in) after its migrations made them.
    const admin = env.MKDEV_KONG_ADMIN_URL as string;
    const post = (path: string, body: unknown) =>
      request(`${admin}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await post('/services', { name: 'orders', url: 'http://orders.service.consul:8080' })).statusCode,
    ).toBe(201);
    expect((await post('/services/orders/routes', { name: 'orders', paths: ['/orders'] })).statusCode).toBe(
      201,
    );
    before = await everyRow(url, DATABASES);
  });
  afterAll(() => removeProject(project.name));

  it('has the data it was given, Kong tables among it', () => {
    expect(before['appdb/public.orders']?.split('\n')).toHaveLength(500);
    expect(before['analytics/public.events']?.split('\n')).toHaveLength(2000);
    expect(Object.keys(before).filter((t) => t.startsWith('kong/')).length).toBeGreaterThan(3);
  });

  it('up refuses PostgreSQL 17 on it, naming both majors and the command, and changes nothing', async () => {
    const old = await containerOf(project.name, 'postgres');
    project.write('mkdev.yaml', ON_17);
    const up = await project.run(['up', 'kong']);
    expect(up.exitCode).toBe(1);
    expect(up.all).toContain(
      `volume ${volume}: PostgreSQL 17 cannot open the data directory of PostgreSQL 15`,
    );
    expect(up.all).toContain("run 'mkdev upgrade postgres'");
    const now = await containerOf(project.name, 'postgres');
    expect(now?.Id).toBe(old?.Id);
    expect(now?.State).toBe('running');
    expect(now?.Image).toBe(old?.Image);
  });

  it('mkdev upgrade postgres moves the data to PostgreSQL 17 and keeps the old data in a volume', async () => {
    const upgrade = await project.run(['upgrade', 'postgres']);
    expect(upgrade.exitCode, upgrade.all).toBe(0);
    expect(upgrade.stdout).toContain(`${volume} now holds PostgreSQL 17 data`);
    expect(upgrade.stdout).toContain(`${volume}-pg15`);
    expect(upgrade.stderr).toMatch(/verified: 5 databases, \d+ tables, \d+ rows, 3 roles, the same on both/);
    const { volumes, containers } = await projectResources(project.name);
    const kept = volumes.find((v) => v.Name === `${volume}-pg15`);
    expect(kept?.Labels).toMatchObject({
      'dev.mkdev.upgrade-of': volume,
      'dev.mkdev.upgrade-role': 'old',
      'dev.mkdev.data-version': '15',
    });
    expect(volumes.map((v) => v.Name)).not.toContain(`${volume}-pg17-new`);
    expect(containers.filter((c) => /-upgrade-(old|new)$/.test(c.Names[0] ?? ''))).toEqual([]);
  });

  it('up starts PostgreSQL 17 on it: every row back, roles and passwords work, Kong still routes', async () => {
    const up = await project.run(['up', 'kong']);
    expect(up.exitCode, up.all).toBe(0);
    const after = parseEnv((await project.run(['env', '--show-secrets'])).stdout);
    const url = after.MKDEV_POSTGRES_URL as string;
    const version = await withClient(url, (c) =>
      c.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`),
    );
    expect(Number(version.rows[0]?.v)).toBeGreaterThanOrEqual(170000);
    expect(await everyRow(url, DATABASES)).toEqual(before);
    await withClient(inDatabase(url, 'appdb', { user: 'app', password: 'app secret' }), async (app) => {
      // The sequence came along: the next order is 501.
      const next = await app.query<{ id: number }>(
        `INSERT INTO orders (customer) VALUES ('new') RETURNING id`,
      );
      expect(next.rows[0]?.id).toBe(501);
      const grant = await app.query<{ ok: boolean }>(
        `SELECT has_table_privilege('reader', 'orders', 'SELECT') AS ok`,
      );
      expect(grant.rows[0]?.ok).toBe(true);
    });
    await expect(
      withClient(inDatabase(url, 'appdb', { user: 'app', password: 'wrong' }), (c) => c.query('SELECT 1')),
    ).rejects.toThrow(/password authentication failed/);
    const routes = (await (await request(`${after.MKDEV_KONG_ADMIN_URL}/routes`)).body.json()) as {
      data: { paths: string[] }[];
    };
    expect(routes.data.map((r) => r.paths)).toContainEqual(['/orders']);
  });

  it('a second upgrade finds it done', async () => {
    const again = await project.run(['upgrade', 'postgres']);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stdout).toContain('upgraded earlier');
  });
});
