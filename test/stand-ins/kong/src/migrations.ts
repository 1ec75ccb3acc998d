// `schema_meta` like Kong's (kong/db/migrations/state.lua, kong/db/init.lua run_migrations): executed
// and pending migrations per subsystem; only `core` exists here. Bootstrap creates Kong 3.9's tables
// (schema-39.ts); the steps of later migrations change nothing but `schema_meta`.
import type { Db } from './db.ts';
import { KONG_39_SCHEMA } from './schema-39.ts';
import { knownMigrations, type Migration } from './schema-version.ts';

export const NEEDS_BOOTSTRAP =
  "Database needs bootstrapping or is older than Kong 1.0.\n\nTo start a new installation from scratch, run 'kong migrations bootstrap'.\n\n" +
  "To migrate from a version older than 1.0, migrated to Kong 1.5.0 first. \nIf you still have 'apis' entities, you can convert them to Routes and Services\n" +
  "using the 'kong migrations migrate-apis' command in Kong 1.5.0.\n\n";

type Print = (line: string) => void;

/** kong/db/migrations/state.lua: what ran, what waits for `finish`, what waits for `up`. */
export interface SchemaState {
  needsBootstrap: boolean;
  executed: string[];
  pending: string[];
  fresh: Migration[];
}

export async function schemaState(db: Db, known = knownMigrations()): Promise<SchemaState> {
  const exists = await db.query("SELECT to_regclass('schema_meta') IS NOT NULL AS e");
  const row = exists.rows[0]?.e
    ? (
        await db.query(
          "SELECT executed, pending FROM schema_meta WHERE key = 'schema_meta' AND subsystem = 'core'",
        )
      ).rows[0]
    : undefined;
  if (!row) return { needsBootstrap: true, executed: [], pending: [], fresh: known };
  const executed: string[] = row.executed ?? [];
  const pending: string[] = row.pending ?? [];
  const fresh = known.filter((m) => !executed.includes(m.name) && !pending.includes(m.name));
  return { needsBootstrap: false, executed, pending, fresh };
}

/** Migrations_mt.__tostring: `core: a, b`. */
export const listed = (names: string[]) => `core: ${names.join(', ')}`;

/** kong/db/init.lua run_migrations: runs `up` and/or teardown steps and reports like Kong. */
async function run(
  db: Db,
  database: string,
  migrations: Migration[],
  opts: { up: boolean; teardown: boolean },
  print: Print,
): Promise<void> {
  print(`migrating core on database '${database}'...`);
  let pending = 0;
  for (const m of migrations) {
    const leftPending = opts.up && m.teardown && !opts.teardown;
    const state = leftPending ? 'pending' : 'executed';
    await db.query(
      `UPDATE schema_meta SET last_executed = $1,
         executed = CASE WHEN $2 = 'executed' THEN array_append(array_remove(executed, $1), $1) ELSE executed END,
         pending = CASE WHEN $2 = 'pending' THEN array_append(array_remove(pending, $1), $1) ELSE array_remove(pending, $1) END
       WHERE key = 'schema_meta' AND subsystem = 'core'`,
      [m.name, state],
    );
    if (leftPending) pending++;
    print(`core migrated up to: ${m.name} (${state})`);
  }
  const n = migrations.length;
  print(`${n} migration${n > 1 ? 's' : ''} processed`);
  if (n - pending > 0) print(`${n - pending} executed`);
  if (pending > 0) print(`${pending} pending`);
}

export async function bootstrap(db: Db, database: string, print: Print): Promise<void> {
  const state = await schemaState(db);
  if (!state.needsBootstrap) {
    print('Database already bootstrapped');
    return;
  }
  print('Bootstrapping database...');
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(4242)');
    await client.query(KONG_39_SCHEMA);
    await client.query(
      "INSERT INTO schema_meta (key, subsystem, executed, pending) VALUES ('schema_meta', 'core', '{}', '{}')",
    );
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
  await run(db, database, state.fresh, { up: true, teardown: true }, print);
  print('Database is up-to-date');
}

/** `kong migrations up` once the checks of migrations_utils.up passed: the new migrations' up steps. */
export async function up(db: Db, database: string, state: SchemaState, print: Print): Promise<void> {
  if (state.fresh.length === 0) {
    print('Database is already up-to-date');
    return;
  }
  await run(db, database, state.fresh, { up: true, teardown: false }, print);
  if ((await schemaState(db)).pending.length > 0)
    print("\nDatabase has pending migrations; run 'kong migrations finish' when ready");
}

/** `kong migrations finish`: the pending migrations' teardown steps. */
export async function finish(db: Db, database: string, state: SchemaState, print: Print): Promise<void> {
  if (state.pending.length > 0) {
    const known = new Map(knownMigrations().map((m) => [m.name, m]));
    const pending = state.pending.map((name) => known.get(name) ?? { name, teardown: true });
    await run(db, database, pending, { up: false, teardown: true }, print);
  }
  const after = await schemaState(db);
  if (after.fresh.length > 0) {
    print("\nNew migrations available; run 'kong migrations up' to proceed");
    return;
  }
  if (after.pending.length === 0) print('No pending migrations to finish');
}

export async function reset(db: Db, print: Print): Promise<void> {
  print('Resetting database...');
  // connector.lua reset_schema (:151-185): the whole schema goes, and comes back empty
  await db.query(
    'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA IF NOT EXISTS public AUTHORIZATION CURRENT_USER; GRANT ALL ON SCHEMA public TO CURRENT_USER;',
  );
  print('Database successfully reset');
}
