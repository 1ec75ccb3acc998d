// Postgres connection named by KONG_PG_*; the host goes through Kong's DNS client.
import pg from 'pg';
import type { Config } from './config.ts';
import type { Resolver } from './dns-resolver.ts';

export type Db = pg.Pool;

export class DbError extends Error {}

export async function connectDb(config: Config, resolver: Resolver): Promise<Db> {
  let address: string;
  try {
    address = (await resolver.resolve(config.pg.host, config.pg.port)).address;
  } catch (e) {
    throw new DbError(
      `[PostgreSQL error] failed to retrieve PostgreSQL server_version_num: ${config.pg.host} could not be resolved (${(e as Error).message})`,
    );
  }
  const pool = new pg.Pool({
    host: address,
    port: config.pg.port,
    user: config.pg.user,
    password: config.pg.password,
    database: config.pg.database,
    connectionTimeoutMillis: config.pg.timeout,
    max: 8,
  });
  pool.on('error', () => {
    // idle client errors surface on the next query
  });
  try {
    await pool.query('SHOW server_version_num');
  } catch (e) {
    await pool.end().catch(() => {});
    throw new DbError(
      `[PostgreSQL error] failed to retrieve PostgreSQL server_version_num: ${(e as Error).message}`,
    );
  }
  return pool;
}

export async function reachable(db: Db): Promise<boolean> {
  try {
    await db.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
