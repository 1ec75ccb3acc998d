// Entities in Postgres: one table per entity (see migrations.ts), the full entity as jsonb.
import type { EntityDef, EntityName } from './admin/schemas.ts';
import type { Db } from './db.ts';

export type Entity = Record<string, unknown>;

function fk(e: Entity, field: string): string | null {
  const v = e[field] as { id?: string } | null | undefined;
  return v?.id ?? null;
}

export function pluginCacheKey(e: Entity): string {
  return `plugins:${e.name}:${fk(e, 'route') ?? ''}:${fk(e, 'service') ?? ''}:${fk(e, 'consumer') ?? ''}:${e.instance_name ?? ''}`;
}

function columns(name: EntityName, e: Entity): Record<string, unknown> {
  switch (name) {
    case 'services':
    case 'upstreams':
      return { name: e.name ?? null };
    case 'routes':
      return { name: e.name ?? null, service_id: fk(e, 'service') };
    case 'consumers':
      return { username: e.username ?? null, custom_id: e.custom_id ?? null };
    case 'targets':
      return { upstream_id: fk(e, 'upstream'), target: e.target };
    case 'plugins':
      return {
        name: e.name,
        cache_key: pluginCacheKey(e),
        service_id: fk(e, 'service'),
        route_id: fk(e, 'route'),
        consumer_id: fk(e, 'consumer'),
      };
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
  constructor(db: Db) {
    this.db = db;
  }

  async get(def: EntityDef, id: string): Promise<Entity | null> {
    const r = await this.db.query(`SELECT entity FROM ${def.name} WHERE id = $1`, [id]);
    return r.rows[0]?.entity ?? null;
  }

  async getBy(def: EntityDef, where: Record<string, unknown>): Promise<Entity | null> {
    const keys = Object.keys(where);
    const cond = keys.map((k, i) => (where[k] === null ? `${k} IS NULL` : `${k} = $${i + 1}`)).join(' AND ');
    const vals = keys.filter((k) => where[k] !== null).map((k) => where[k]);
    const r = await this.db.query(`SELECT entity FROM ${def.name} WHERE ${cond} LIMIT 1`, vals);
    return r.rows[0]?.entity ?? null;
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

  async insert(def: EntityDef, e: Entity): Promise<void> {
    const cols = columns(def.name, e);
    const names = ['id', 'created_at', 'updated_at', 'tags', 'entity', ...Object.keys(cols)];
    const vals = [
      e.id,
      e.created_at,
      e.updated_at,
      e.tags ?? null,
      JSON.stringify(e),
      ...Object.values(cols),
    ];
    await this.db.query(
      `INSERT INTO ${def.name} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
      vals,
    );
  }

  async update(def: EntityDef, e: Entity): Promise<void> {
    const cols = columns(def.name, e);
    const names = ['updated_at', 'tags', 'entity', ...Object.keys(cols)];
    const vals = [e.updated_at, e.tags ?? null, JSON.stringify(e), ...Object.values(cols)];
    await this.db.query(
      `UPDATE ${def.name} SET ${names.map((n, i) => `${n} = $${i + 2}`).join(', ')} WHERE id = $1`,
      [e.id, ...vals],
    );
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
      `SELECT entity FROM ${def.name} ${where} ORDER BY id LIMIT $${vals.length}`,
      vals,
    );
    const rows = r.rows.map((x) => x.entity as Entity);
    const more = rows.length > o.size;
    return { rows: rows.slice(0, o.size), more };
  }

  async all(name: EntityName): Promise<Entity[]> {
    const r = await this.db.query(`SELECT entity FROM ${name} ORDER BY created_at, id`);
    return r.rows.map((x) => x.entity as Entity);
  }
}
