// `kong migrations ...`: a schema_meta table like Kong's plus one table per entity.
import type { Db } from './db.ts';

/** Kong 3.9's core migration names, recorded as executed by bootstrap. */
export const CORE_MIGRATIONS = [
  '000_base',
  '003_100_to_110',
  '004_110_to_120',
  '005_120_to_130',
  '006_130_to_140',
  '007_140_to_150',
  '008_150_to_200',
  '009_200_to_210',
  '010_210_to_211',
  '011_212_to_213',
  '012_213_to_220',
  '013_220_to_230',
  '014_230_to_260',
  '015_260_to_270',
  '016_270_to_280',
  '016_280_to_300',
  '017_300_to_310',
  '018_310_to_320',
  '019_320_to_330',
  '020_330_to_340',
  '021_340_to_350',
  '022_350_to_360',
  '023_360_to_370',
  '024_380_to_390',
];

export const NEEDS_BOOTSTRAP =
  "Database needs bootstrapping or is older than Kong 1.0.\n\nTo start a new installation from scratch, run 'kong migrations bootstrap'.\n\n" +
  "To migrate from a version older than 1.0, migrated to Kong 1.5.0 first. \nIf you still have 'apis' entities, you can convert them to Routes and Services\n" +
  "using the 'kong migrations migrate-apis' command in Kong 1.5.0.\n";

const common =
  'id uuid PRIMARY KEY, created_at double precision NOT NULL, updated_at double precision, tags text[], entity jsonb NOT NULL';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_meta (
  key text NOT NULL, subsystem text NOT NULL, last_executed text, executed text[], pending text[],
  PRIMARY KEY (key, subsystem));
CREATE TABLE services (${common}, name text UNIQUE);
CREATE TABLE routes (${common}, name text UNIQUE, service_id uuid REFERENCES services(id));
CREATE TABLE consumers (${common}, username text UNIQUE, custom_id text UNIQUE);
CREATE TABLE upstreams (${common}, name text UNIQUE);
CREATE TABLE targets (${common}, upstream_id uuid NOT NULL REFERENCES upstreams(id) ON DELETE CASCADE,
  target text NOT NULL, UNIQUE (upstream_id, target));
CREATE TABLE plugins (${common}, name text NOT NULL, cache_key text UNIQUE,
  service_id uuid REFERENCES services(id) ON DELETE CASCADE,
  route_id uuid REFERENCES routes(id) ON DELETE CASCADE,
  consumer_id uuid REFERENCES consumers(id) ON DELETE CASCADE);
CREATE INDEX routes_service_idx ON routes(service_id);
CREATE INDEX plugins_name_idx ON plugins(name);
`;

type Print = (line: string) => void;

export async function executedMigrations(db: Db): Promise<string[] | null> {
  const exists = await db.query("SELECT to_regclass('schema_meta') IS NOT NULL AS e");
  if (!exists.rows[0]?.e) return null;
  const r = await db.query(
    "SELECT executed FROM schema_meta WHERE key = 'schema_meta' AND subsystem = 'core'",
  );
  return r.rows[0]?.executed ?? null;
}

export async function bootstrap(db: Db, database: string, print: Print): Promise<void> {
  if ((await executedMigrations(db)) !== null) {
    print('Database already bootstrapped');
    return;
  }
  print('Bootstrapping database...');
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(4242)');
    await client.query(SCHEMA);
    print(`migrating core on database '${database}'...`);
    for (const m of CORE_MIGRATIONS) print(`core migrated up to: ${m} (executed)`);
    await client.query(
      "INSERT INTO schema_meta (key, subsystem, last_executed, executed, pending) VALUES ('schema_meta', 'core', $1, $2, '{}')",
      [CORE_MIGRATIONS[CORE_MIGRATIONS.length - 1], CORE_MIGRATIONS],
    );
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
  print(`${CORE_MIGRATIONS.length} migrations processed`);
  print(`${CORE_MIGRATIONS.length} executed`);
  print('Database is up-to-date');
}

export async function reset(db: Db, database: string, print: Print): Promise<void> {
  await db.query(
    'DROP TABLE IF EXISTS plugins, targets, upstreams, consumers, routes, services, schema_meta CASCADE',
  );
  print(`Database '${database}' reset`);
}

export function formatList(executed: string[]): string {
  return `Executed migrations:\ncore: ${executed.join(', ')}`;
}
