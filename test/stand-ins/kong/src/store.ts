// Entities in Kong 3.9's own tables (schema-39.ts): one column per field, foreign keys as `<field>_id`,
// timestamps as `timestamp with time zone`, every row in the default workspace (`ws_id`), and the
// cache keys Kong's DAO computes (kong/db/dao/init.lua DAO:cache_key).
import type { EntityDef, EntityName } from './admin/schemas.ts';
import type { Db } from './db.ts';

export type Entity = Record<string, unknown>;

type Kind = 'plain' | 'int' | 'ts' | 'fk' | 'json' | 'jsonArray' | 'uuidArray' | 'textArray';

interface Column {
  column: string;
  /** The entity field; a foreign key's field without `_id`. */
  field: string;
  kind: Kind;
}

const col = (field: string, kind: Kind = 'plain'): Column => ({
  column: kind === 'fk' ? `${field}_id` : field,
  field,
  kind,
});
const common = [col('id'), col('created_at', 'ts'), col('updated_at', 'ts'), col('tags', 'textArray')];

/** The columns of each entity table that carry an entity field (kong/db/schema/entities/*.lua). */
const COLUMNS: Record<EntityName, Column[]> = {
  services: [
    ...common,
    col('name'),
    col('retries', 'int'),
    col('protocol'),
    col('host'),
    col('port', 'int'),
    col('path'),
    col('connect_timeout', 'int'),
    col('write_timeout', 'int'),
    col('read_timeout', 'int'),
    col('client_certificate', 'fk'),
    col('tls_verify'),
    col('tls_verify_depth', 'int'),
    col('ca_certificates', 'uuidArray'),
    col('enabled'),
  ],
  routes: [
    ...common,
    col('name'),
    col('service', 'fk'),
    col('protocols', 'textArray'),
    col('methods', 'textArray'),
    col('hosts', 'textArray'),
    col('paths', 'textArray'),
    col('snis', 'textArray'),
    col('sources', 'jsonArray'),
    col('destinations', 'jsonArray'),
    col('regex_priority', 'int'),
    col('strip_path'),
    col('preserve_host'),
    col('https_redirect_status_code', 'int'),
    col('headers', 'json'),
    col('path_handling'),
    col('request_buffering'),
    col('response_buffering'),
  ],
  consumers: [...common, col('username'), col('custom_id')],
  upstreams: [
    ...common,
    col('name'),
    col('algorithm'),
    col('hash_on'),
    col('hash_fallback'),
    col('hash_on_header'),
    col('hash_fallback_header'),
    col('hash_on_cookie'),
    col('hash_on_cookie_path'),
    col('hash_on_query_arg'),
    col('hash_fallback_query_arg'),
    col('hash_on_uri_capture'),
    col('hash_fallback_uri_capture'),
    col('slots', 'int'),
    col('healthchecks', 'json'),
    col('host_header'),
    col('client_certificate', 'fk'),
    col('use_srv_name'),
  ],
  targets: [...common, col('upstream', 'fk'), col('target'), col('weight', 'int')],
  plugins: [
    ...common,
    col('name'),
    col('instance_name'),
    col('route', 'fk'),
    col('service', 'fk'),
    col('consumer', 'fk'),
    col('config', 'json'),
    col('protocols', 'textArray'),
    col('enabled'),
  ],
};

function fk(e: Entity, field: string): string | null {
  const v = e[field] as { id?: string } | null | undefined;
  return v?.id ?? null;
}

/** DAO:cache_key: `plugins:<name>:<route>:<service>:<consumer>::<ws_id>` (schema cache_key fields). */
export function pluginCacheKey(e: Entity, wsId: string): string {
  return `plugins:${e.name}:${fk(e, 'route') ?? ''}:${fk(e, 'service') ?? ''}:${fk(e, 'consumer') ?? ''}::${wsId}`;
}

/** DAO:cache_key for targets: `targets:<upstream>:<target>::::<ws_id>` (016_280_to_300's form). */
function targetCacheKey(e: Entity, wsId: string): string {
  return `targets:${fk(e, 'upstream') ?? ''}:${e.target}::::${wsId}`;
}

/** The SELECT list giving every column an entity needs, timestamps as epoch seconds. */
function selectList(name: EntityName): string {
  return COLUMNS[name]
    .map((c) => (c.kind === 'ts' ? `EXTRACT(EPOCH FROM ${c.column})::float8 AS ${c.column}` : c.column))
    .join(', ');
}

function toEntity(name: EntityName, row: Record<string, unknown>): Entity {
  const e: Entity = {};
  for (const c of COLUMNS[name]) {
    const v = row[c.column];
    if (v === null || v === undefined) e[c.field] = null;
    else if (c.kind === 'fk') e[c.field] = { id: v };
    else if (c.kind === 'int' || c.kind === 'ts') e[c.field] = Number(v);
    else e[c.field] = v;
  }
  return e;
}

/** The value and placeholder of a column for an INSERT or UPDATE. */
function param(c: Column, e: Entity, n: number): [unknown, string] {
  const v = c.kind === 'fk' ? fk(e, c.field) : (e[c.field] ?? null);
  switch (c.kind) {
    case 'ts':
      return [v, `to_timestamp($${n})`];
    case 'json':
      return [v === null ? null : JSON.stringify(v), `$${n}::jsonb`];
    case 'jsonArray':
      return [v === null ? null : (v as unknown[]).map((x) => JSON.stringify(x)), `$${n}::jsonb[]`];
    case 'uuidArray':
      return [v, `$${n}::uuid[]`];
    case 'textArray':
      return [v, `$${n}::text[]`];
    default:
      return [v, `$${n}`];
  }
}

export interface PageOptions {
  size: number;
  after: string | null;
  where: Record<string, unknown>;
  tags: string[] | null;
  tagsCond: 'and' | 'or';
}

export class Store {
  readonly db: Db;
  private wsId: Promise<string> | null = null;

  constructor(db: Db) {
    this.db = db;
  }

  /** The default workspace (009_200_to_210 creates it; every entity row belongs to it). */
  workspace(): Promise<string> {
    this.wsId ??= this.db
      .query("SELECT id FROM workspaces WHERE name = 'default'")
      .then((r) => String(r.rows[0]?.id));
    return this.wsId;
  }

  async get(def: EntityDef, id: string): Promise<Entity | null> {
    return this.getBy(def, { id });
  }

  async getBy(def: EntityDef, where: Record<string, unknown>): Promise<Entity | null> {
    const keys = Object.keys(where);
    const cond = keys.map((k, i) => (where[k] === null ? `${k} IS NULL` : `${k} = $${i + 1}`)).join(' AND ');
    const vals = keys.filter((k) => where[k] !== null).map((k) => where[k]);
    const r = await this.db.query(
      `SELECT ${selectList(def.name)} FROM ${def.name} WHERE ${cond} LIMIT 1`,
      vals,
    );
    return r.rows[0] ? toEntity(def.name, r.rows[0]) : null;
  }

  async count(def: EntityDef, where: Record<string, unknown>): Promise<number> {
    const keys = Object.keys(where);
    const cond = keys.map((k, i) => `${k} = $${i + 1}`).join(' AND ');
    const r = await this.db.query(
      `SELECT count(*)::int AS n FROM ${def.name} WHERE ${cond}`,
      Object.values(where),
    );
    return r.rows[0]?.n ?? 0;
  }

  /** The columns Kong's DAO writes besides the fields: ws_id and, where the schema has one, cache_key. */
  private async extra(def: EntityDef, e: Entity): Promise<Record<string, unknown>> {
    const wsId = await this.workspace();
    if (def.name === 'plugins') return { ws_id: wsId, cache_key: pluginCacheKey(e, wsId) };
    if (def.name === 'targets') return { ws_id: wsId, cache_key: targetCacheKey(e, wsId) };
    return { ws_id: wsId };
  }

  async insert(def: EntityDef, e: Entity): Promise<void> {
    const names: string[] = [];
    const vals: unknown[] = [];
    const holders: string[] = [];
    for (const c of COLUMNS[def.name]) {
      const [v, holder] = param(c, e, vals.length + 1);
      names.push(c.column);
      vals.push(v);
      holders.push(holder);
    }
    for (const [k, v] of Object.entries(await this.extra(def, e))) {
      names.push(k);
      vals.push(v);
      holders.push(`$${vals.length}`);
    }
    await this.db.query(`INSERT INTO ${def.name} (${names.join(', ')}) VALUES (${holders.join(', ')})`, vals);
  }

  async update(def: EntityDef, e: Entity): Promise<void> {
    const sets: string[] = [];
    const vals: unknown[] = [e.id];
    for (const c of COLUMNS[def.name]) {
      if (c.column === 'id' || c.column === 'created_at') continue;
      const [v, holder] = param(c, e, vals.length + 1);
      vals.push(v);
      sets.push(`${c.column} = ${holder}`);
    }
    for (const [k, v] of Object.entries(await this.extra(def, e))) {
      vals.push(v);
      sets.push(`${k} = $${vals.length}`);
    }
    await this.db.query(`UPDATE ${def.name} SET ${sets.join(', ')} WHERE id = $1`, vals);
  }

  async delete(def: EntityDef, id: string): Promise<void> {
    await this.db.query(`DELETE FROM ${def.name} WHERE id = $1`, [id]);
  }

  /** One page ordered by id; returns the rows and whether more follow. */
  async page(def: EntityDef, o: PageOptions): Promise<{ rows: Entity[]; more: boolean }> {
    const conds: string[] = [];
    const vals: unknown[] = [];
    for (const [k, v] of Object.entries(o.where)) {
      vals.push(v);
      conds.push(`${k} = $${vals.length}`);
    }
    if (o.after) {
      vals.push(o.after);
      conds.push(`id > $${vals.length}`);
    }
    if (o.tags) {
      vals.push(o.tags);
      conds.push(
        o.tagsCond === 'and' ? `tags @> $${vals.length}::text[]` : `tags && $${vals.length}::text[]`,
      );
    }
    vals.push(o.size + 1);
    const where = conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '';
    const r = await this.db.query(
      `SELECT ${selectList(def.name)} FROM ${def.name} ${where} ORDER BY id LIMIT $${vals.length}`,
      vals,
    );
    const rows = r.rows.map((x) => toEntity(def.name, x));
    const more = rows.length > o.size;
    return { rows: rows.slice(0, o.size), more };
  }

  async all(name: EntityName): Promise<Entity[]> {
    const r = await this.db.query(`SELECT ${selectList(name)} FROM ${name} ORDER BY created_at, id`);
    return r.rows.map((x) => toEntity(name, x));
  }
}
