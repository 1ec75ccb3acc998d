// Postgres connection named by KONG_PG_*. Kong opens its Postgres sockets through the patched
// ngx.socket.tcp (kong/globalpatches.lua:553-564), so the host goes through Kong's DNS client on
// every new connection, cache and all: a new Postgres IP is seen once the cached answer expires, and
// a DNS server that is down fails new connections once nothing (not even stale) is cached.
import pg from 'pg';
import type { Config } from './config.ts';
import type { Resolver } from './dns-resolver.ts';

export type Db = pg.Pool;

export class DbError extends Error {}

/** lua_socket_keepalive_timeout (60 s, kong/templates/nginx_kong.lua): idle connections kept that long. */
const KEEPALIVE_MS = 60_000;

/** A client that resolves the host through Kong's DNS client each time it connects. */
function clientThrough(resolver: Resolver, host: string, port: number): typeof pg.Client {
  return class KongSocketClient extends pg.Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg.Client's connect overloads (callback or promise)
    override connect(callback?: any): any {
      const resolved = resolver.resolve(host, port).then(
        (r) => {
          (this as unknown as { host: string }).host = r.address;
        },
        (e: Error) => {
          throw new DbError(`[cosocket] DNS resolution failed: ${e.message}. Tried: ${host}`);
        },
      );
      if (!callback) return resolved.then(() => super.connect());
      resolved.then(
        () => super.connect(callback),
        (e: Error) => (callback as (err: Error) => void)(e),
      );
      return undefined;
    }
  };
}

export async function connectDb(config: Config, resolver: Resolver): Promise<Db> {
  const pool = new pg.Pool({
    host: config.pg.host,
    port: config.pg.port,
    user: config.pg.user,
    password: config.pg.password,
    database: config.pg.database,
    connectionTimeoutMillis: config.pg.timeout,
    idleTimeoutMillis: KEEPALIVE_MS,
    max: 8,
    Client: clientThrough(resolver, config.pg.host, config.pg.port),
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

/**
 * kong/status/ready.lua:73-80: `kong.db:connect()` then `close()`: a connection through the patched
 * socket, i.e. a DNS lookup of the host (cached or not) and a TCP + Postgres handshake, no query.
 */
export async function canConnect(config: Config, resolver: Resolver): Promise<boolean> {
  const Client = clientThrough(resolver, config.pg.host, config.pg.port);
  const client = new Client({
    host: config.pg.host,
    port: config.pg.port,
    user: config.pg.user,
    password: config.pg.password,
    database: config.pg.database,
    connectionTimeoutMillis: config.pg.timeout,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
