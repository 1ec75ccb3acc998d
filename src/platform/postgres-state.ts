// Postgres state for snapshots: a plain SQL dump taken inside the container (pg_dump ships with the
// server), restored from the host over the published port with the `pg` client.
import pg from 'pg';
import type { ContainerRef, Engine } from '../engine/engine.ts';

export interface PostgresAccess {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export async function dumpPostgres(
  engine: Engine,
  container: ContainerRef,
  access: PostgresAccess,
): Promise<string> {
  // --inserts: plain INSERTs (no psql-only COPY blocks), so the dump replays through a plain client.
  const { exitCode, output } = await engine.exec(container, [
    'pg_dump',
    '--clean',
    '--if-exists',
    '--inserts',
    '--no-owner',
    '-U',
    access.user,
    access.database,
  ]);
  if (exitCode !== 0) throw new Error(`pg_dump failed (exit ${exitCode}): ${output.slice(-500)}`);
  return output;
}

export async function restorePostgres(access: PostgresAccess, dump: string): Promise<void> {
  const client = new pg.Client({ ...access, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    // Objects created after the snapshot are not in the dump, so --clean alone would keep them:
    // start from an empty public schema, then replay. psql meta-commands (\\...) are dropped.
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    await client.query(dump.replace(/^\\.*$/gm, ''));
  } finally {
    await client.end();
  }
}
