// Postgres connection named by KONG_PG_*. Kong opens its Postgres sockets through the patched
// ngx.socket.tcp (kong/globalpatches.lua:553-564): every connect, from the keepalive pool or not,
// first resolves the host through Kong's DNS client (its cache, stale entries and all), and the pool
// is keyed by the address it resolved to. So a new Postgres IP is used once the cached answer expires,
// and with nothing cached a DNS server that is down fails every new connection.
import pg from 'pg';
import type { Config } from './config.ts';
import type { Resolver } from './dns-resolver.ts';

export class DbError extends Error {}

/** What Kong's connector does with Postgres: queries, a connection for a transaction, the end. */
export interface Db {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  connect(): Promise<pg.PoolClient>;
  end(): Promise<void>;
}

/** lua_socket_keepalive_timeout (60 s, kong/templates/nginx_kong.lua): idle connections kept that long. */
const KEEPALIVE_MS = 60_000;

class KongDb implements Db {
  private readonly pools = new Map<string, pg.Pool>();
  private readonly config: Config;
  private readonly resolver: Resolver;

  constructor(config: Config, resolver: Resolver) {
    this.config = config;
    this.resolver = resolver;
  }

  /** The keepalive pool of the address the host resolves to now. */
  private async pool(): Promise<pg.Pool> {
    const { host, port } = this.config.pg;
    let address: string;
    try {
      address = (await this.resolver.resolve(host, port)).address;
    } catch (e) {
      throw new DbError(`[cosocket] DNS resolution failed: ${(e as Error).message}. Tried: ${host}`);
    }
    let pool = this.pools.get(address);
    if (!pool) {
      pool = new pg.Pool({
        host: address,
        port,
        user: this.config.pg.user,
        password: this.config.pg.password,
        database: this.config.pg.database,
        connectionTimeoutMillis: this.config.pg.timeout,
        idleTimeoutMillis: KEEPALIVE_MS,
        max: 8,
      });
      // idle client errors surface on the next query
      pool.on('error', () => {});
      this.pools.set(address, pool);
    }
    return pool;
  }

  async query(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    return (await this.pool()).query(text, values);
  }

  async connect(): Promise<pg.PoolClient> {
    return (await this.pool()).connect();
  }

  async end(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => {})));
  }
}

export async function connectDb(config: Config, resolver: Resolver): Promise<Db> {
  const db = new KongDb(config, resolver);
  try {
    await db.query('SHOW server_version_num');
  } catch (e) {
    await db.end();
    throw new DbError(
      `[PostgreSQL error] failed to retrieve PostgreSQL server_version_num: ${(e as Error).message}`,
    );
  }
  return db;
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
 * socket (a DNS lookup, then the pool or a new connection), closed afterwards; no query.
 */
export async function canConnect(db: Db): Promise<boolean> {
  try {
    const client = await db.connect();
    client.release(true);
    return true;
  } catch {
    return false;
  }
}
