// What a PostgreSQL cluster holds, taken the same way from the old and the new server so the two can be
// compared before the old data is let go: roles (with their password hashes), databases (owner,
// encoding, locale), and every table's row count and a checksum of its rows.
import type { PostgresServer } from './postgres-server.ts';

export interface TableFacts {
  readonly rows: number;
  /** md5 over the sorted md5s of the rows' text forms: independent of row order and physical layout. */
  readonly checksum: string;
}

export interface ClusterInventory {
  /** role -> its attributes and password hash, as one JSON text. */
  readonly roles: Readonly<Record<string, string>>;
  /** database -> owner, encoding and locale, as one JSON text. */
  readonly databases: Readonly<Record<string, string>>;
  /** "database/schema.table" -> facts. */
  readonly tables: Readonly<Record<string, TableFacts>>;
}

const ROLES = `SELECT json_build_array(rolname, json_build_array(rolsuper, rolinherit, rolcreaterole,
  rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolpassword, rolvaliduntil))
  FROM pg_authid WHERE rolname !~ '^pg_' ORDER BY rolname;`;

// template1 and postgres are not re-created by a restore (the new cluster's initdb made them): their
// locale is the new cluster's, so only their owner and encoding are compared.
const DATABASES = `SELECT json_build_array(datname, json_build_array(pg_get_userbyid(datdba),
  pg_encoding_to_char(encoding),
  CASE WHEN datname IN ('postgres', 'template1') THEN NULL ELSE datcollate END,
  CASE WHEN datname IN ('postgres', 'template1') THEN NULL ELSE datctype END))
  FROM pg_database WHERE datallowconn ORDER BY datname;`;

// One query per table, generated and run by psql's \\gexec: each prints one JSON line.
const TABLES = `SELECT format('SELECT json_build_array(%L, count(*), coalesce(md5(string_agg(md5(t::text), '''' ORDER BY md5(t::text))), '''')) FROM %I.%I AS t',
    n.nspname || '.' || c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp)'
  ORDER BY 1 \\gexec
`;

async function query(server: PostgresServer, database: string, sql: string): Promise<unknown[][]> {
  const { exitCode, stdout, stderr } = await server.psql(database, sql);
  if (exitCode !== 0)
    throw new Error(`psql on database ${database} failed (exit ${exitCode}): ${stderr.trim()}`);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown[]);
}

export async function inventory(server: PostgresServer): Promise<ClusterInventory> {
  const pairs = (rows: unknown[][]) =>
    Object.fromEntries(rows.map(([k, v]) => [String(k), JSON.stringify(v)]));
  const roles = pairs(await query(server, 'postgres', ROLES));
  const databases = pairs(await query(server, 'postgres', DATABASES));
  const tables: Record<string, TableFacts> = {};
  for (const database of Object.keys(databases)) {
    for (const [name, rows, checksum] of await query(server, database, TABLES)) {
      tables[`${database}/${String(name)}`] = { rows: Number(rows), checksum: String(checksum) };
    }
  }
  return { roles, databases, tables };
}

/** Every difference between the old cluster's inventory and the new one's; empty when they match. */
export function inventoryDifferences(old: ClusterInventory, now: ClusterInventory): string[] {
  const differences: string[] = [];
  const compare = <T>(
    kind: string,
    a: Readonly<Record<string, T>>,
    b: Readonly<Record<string, T>>,
    show: (v: T) => string,
  ) => {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const [x, y] = [a[key], b[key]];
      if (x === undefined) differences.push(`${kind} ${key}: only in the new cluster`);
      else if (y === undefined) differences.push(`${kind} ${key}: missing from the new cluster`);
      else if (show(x) !== show(y)) differences.push(`${kind} ${key}: ${show(x)} before, ${show(y)} after`);
    }
  };
  compare('role', old.roles, now.roles, (v) => v);
  compare('database', old.databases, now.databases, (v) => v);
  compare('table', old.tables, now.tables, (v) => `${v.rows} rows (checksum ${v.checksum.slice(0, 12)})`);
  return differences;
}

export function inventorySummary(inv: ClusterInventory): string {
  const rows = Object.values(inv.tables).reduce((sum, t) => sum + t.rows, 0);
  return `${Object.keys(inv.databases).length} databases, ${Object.keys(inv.tables).length} tables, ${rows} rows, ${Object.keys(inv.roles).length} roles`;
}
