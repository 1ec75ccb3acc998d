import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLogs, execIn } from '../src/engine/container-ops.ts';
import { docker, hostPort, offlineImage, Resources, requireImage, waitFor } from './lib/test-docker.ts';

const IMAGE = await offlineImage('postgres:17');
const resources = new Resources();
const credentials = { user: 'mkdev_app', password: 's3cret pass', database: 'mkdev_db' };
let initDir: string;

beforeAll(async () => {
  await requireImage(IMAGE);
  initDir = await mkdtemp(path.join(os.tmpdir(), 'mkdev-pg-init-'));
  await writeFile(path.join(initDir, '01-schema.sql'), 'CREATE TABLE from_initdb (note text);\n');
  // Compressed scripts, as the official image runs them (in name order, after 01-schema.sql).
  await writeFile(path.join(initDir, '02-gzip.sql.gz'), gzipSync("INSERT INTO from_initdb VALUES ('gz');\n"));
  await writeFile(
    path.join(initDir, '03-zstd.sql.zst'),
    zstdCompressSync("INSERT INTO from_initdb VALUES ('zst');\n"),
  );
  // mkdtemp makes a 0700 directory; the entrypoint reads it as the postgres user.
  await chmod(initDir, 0o755);
});

afterAll(async () => {
  await resources.cleanup();
  if (initDir) await rm(initDir, { recursive: true, force: true });
});

function startPostgres(volume: string, extraBinds: string[] = []) {
  return resources.run({
    Image: IMAGE,
    Env: [
      `POSTGRES_USER=${credentials.user}`,
      `POSTGRES_PASSWORD=${credentials.password}`,
      `POSTGRES_DB=${credentials.database}`,
    ],
    ports: ['5432/tcp'],
    HostConfig: { Binds: [`${volume}:/var/lib/postgresql/data`, ...extraBinds] },
  });
}

/** Connects with the configured credentials as soon as the server accepts them (polled). */
async function connect(port: number): Promise<pg.Client> {
  return waitFor('postgres to accept the configured credentials', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port, ...credentials, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  });
}

describe(IMAGE, () => {
  it('serves the configured user/database, runs initdb.d scripts, keeps data on its volume', async () => {
    const volume = await resources.volume();
    const first = await startPostgres(volume, [`${initDir}:/docker-entrypoint-initdb.d:ro`]);
    const client = await connect(await hostPort(first, '5432/tcp'));
    try {
      const who = await client.query('SELECT current_user AS u, current_database() AS d');
      expect(who.rows[0]).toEqual({ u: credentials.user, d: credentials.database });
      const seeded = await client.query('SELECT note FROM from_initdb ORDER BY note');
      expect(seeded.rows).toEqual([{ note: 'gz' }, { note: 'zst' }]);
      await client.query('DELETE FROM from_initdb');
      await client.query("INSERT INTO from_initdb (note) VALUES ('survives re-creation')");
    } finally {
      await client.end();
    }
    expect((await execIn(first, ['pg_isready', '-q'])).exitCode).toBe(0);

    // STOPSIGNAL SIGINT: a fast shutdown, far below docker's 10 s default grace period.
    const stopMs = await resources.remove(first);
    expect(stopMs).toBeLessThan(5000);

    const second = await startPostgres(volume);
    const again = await connect(await hostPort(second, '5432/tcp'));
    try {
      const rows = await again.query('SELECT note FROM from_initdb');
      expect(rows.rows).toEqual([{ note: 'survives re-creation' }]);
    } finally {
      await again.end();
    }
    // The user's session on `docker stop` with SIGTERM is fast too (the entrypoint maps it to SIGINT).
    const t0 = Date.now();
    await second.kill({ signal: 'SIGTERM' });
    await second.wait();
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('requires a password for remote hosts', async () => {
    const container = await startPostgres(await resources.volume());
    const port = await hostPort(container, '5432/tcp');
    (await connect(port)).end();
    const wrong = new pg.Client({ host: '127.0.0.1', port, ...credentials, password: 'wrong' });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('refuses to initialise without POSTGRES_PASSWORD, like the official image', async () => {
    const container = await resources.run({ Image: IMAGE, Env: [] });
    const result = await container.wait();
    expect(result.StatusCode).not.toBe(0);
    expect(await allLogs(container)).toMatch(/superuser password is not specified/);
  });

  it('runs as the postgres user with PGDATA declared as a volume', async () => {
    const info = await docker.getImage(IMAGE).inspect();
    expect(Object.keys(info.Config.Volumes ?? {})).toContain('/var/lib/postgresql/data');
    expect((info.Config as { StopSignal?: string }).StopSignal).toBe('SIGINT');
    expect(Object.keys(info.Config.ExposedPorts ?? {})).toContain('5432/tcp');
    const container = await startPostgres(await resources.volume());
    (await connect(await hostPort(container, '5432/tcp'))).end();
    // PID 1 (the entrypoint, which supervises the postmaster) has stepped down to postgres.
    const uid = (await execIn(container, ['id', '-u', 'postgres'])).output.trim();
    expect((await execIn(container, ['stat', '-c', '%u', '/proc/1'])).output.trim()).toBe(uid);
  });
});
