// The Postgres connector's TTL cleanup (kong/db/strategies/postgres/connector.lua:310-381): on a node
// with an Admin API listener, every `_debug_pg_ttl_cleanup_interval` seconds (300 by default,
// kong_defaults.lua:137), rows whose TTL column is older than the database's clock are deleted, in
// batches of 50000, table by table.
import type { Db } from './db.ts';
import { log } from './log.ts';
import { TTL_TABLES } from './schema-39.ts';

const BATCH = 50_000;

export async function cleanupExpired(db: Db): Promise<void> {
  const now = await db.query("SELECT EXTRACT(EPOCH FROM CURRENT_TIMESTAMP AT TIME ZONE 'UTC') AS now");
  const end = Number(now.rows[0]?.now);
  for (const { table, column } of TTL_TABLES) {
    for (;;) {
      const r = await db.query(
        `WITH rows AS (SELECT ctid FROM ${table} WHERE ${column} < TO_TIMESTAMP($1) AT TIME ZONE 'UTC'
           ORDER BY ${column} LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
         DELETE FROM ${table} WHERE ctid IN (TABLE rows)`,
        [end],
      );
      if ((r.rowCount ?? 0) < BATCH) break;
    }
  }
}

/** Starts the timer; returns its stop function. */
export function startTtlCleanup(db: Db, intervalSeconds: number): () => void {
  const timer = setInterval(() => {
    cleanupExpired(db).catch((e) =>
      log('warn', `unable to clean expired rows on PostgreSQL database (${(e as Error).message})`),
    );
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
