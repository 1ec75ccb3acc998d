// The generated entity endpoints of kong/api/endpoints.lua: collections, entities, nested and foreign ones.

import type { IncomingMessage } from 'node:http';
import type { Runtime } from '../runtime.ts';
import type { Entity } from '../store.ts';
import { parseBody } from './body.ts';
import { create, daoNotFound, findByKey, remove, type Scope, update, upsert, validatePatch } from './crud.ts';
import { ApiError, methodNotAllowed, notFound } from './errors.ts';
import { encodeOffset, parsePageArgs } from './pagination.ts';
import { ENTITIES, type EntityDef, type EntityName } from './schemas.ts';

export interface Reply {
  status: number;
  body?: unknown;
}

export interface Req {
  method: string;
  url: URL;
  raw: IncomingMessage;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

async function list(
  rt: Runtime,
  def: EntityDef,
  req: Req,
  where: Record<string, unknown>,
  base: string,
  nested: boolean,
): Promise<Reply> {
  const args = parsePageArgs(req.url.searchParams);
  if (!rt.store) return ok({ data: [], next: null });
  const { rows, more } = await rt.store.page(def, {
    size: args.size,
    after: args.after,
    where,
    tags: args.tags,
    tagsCond: args.tagsCond,
  });
  const last = rows[rows.length - 1];
  if (!more || !last) return ok({ data: rows, next: null });
  const offset = encodeOffset(String(last.id));
  let next = `${base}?offset=${encodeURIComponent(offset)}`;
  if (!nested && args.rawTags !== null) next += `&tags=${encodeURIComponent(args.rawTags)}`;
  if (!nested && args.rawSize !== null) next += `&size=${args.rawSize}`;
  return ok({ data: rows, offset, next });
}

async function body(req: Req): Promise<{ data: Record<string, unknown>; form: boolean }> {
  return parseBody(req.raw);
}

async function lookup(rt: Runtime, def: EntityDef, key: string, upstreamId?: string): Promise<Entity | null> {
  if (!rt.store) return null;
  return findByKey(rt.store, def, decodeURIComponent(key), upstreamId);
}

/** `/{entity}` and `/{entity}/{key}`. */
export async function topLevel(
  rt: Runtime,
  name: EntityName,
  key: string | undefined,
  req: Req,
): Promise<Reply> {
  const def = ENTITIES[name];
  if (key === undefined) {
    if (req.method === 'GET') return list(rt, def, req, {}, `/${name}`, false);
    if (req.method === 'POST') {
      const b = await body(req);
      const e = await create(rt.store, def, b.data, b.form);
      await rt.events.changed(def.name, 'create');
      return { status: 201, body: e };
    }
    throw methodNotAllowed();
  }
  return entity(rt, def, key, req, undefined);
}

async function entity(
  rt: Runtime,
  def: EntityDef,
  key: string,
  req: Req,
  scope: Scope | undefined,
  upstreamId?: string,
): Promise<Reply> {
  const decoded = decodeURIComponent(key);
  const existing = await lookup(rt, def, key, upstreamId);
  const inScope = (e: Entity | null): Entity | null =>
    e && scope && (e[scope.field] as { id?: string } | null)?.id !== scope.id ? null : e;
  switch (req.method) {
    case 'GET': {
      const e = inScope(existing);
      if (!e) throw notFound();
      return ok(e);
    }
    case 'PUT': {
      const b = await body(req);
      if (existing && scope && !inScope(existing)) throw notFound();
      const e = await upsert(rt.store, def, decoded, b.data, b.form, scope, upstreamId);
      await rt.events.changed(def.name, existing ? 'update' : 'create');
      return ok(e);
    }
    case 'PATCH': {
      const b = await body(req);
      const e = inScope(existing);
      if (!e && !scope) validatePatch(def, b.data, b.form);
      if (!e || !rt.store) throw scope ? notFound() : daoNotFound(def, decoded);
      const updated = await update(rt.store, def, e, b.data, b.form);
      await rt.events.changed(def.name, 'update');
      return ok(updated);
    }
    case 'DELETE': {
      const e = inScope(existing);
      if (e && rt.store) {
        await remove(rt.store, def, e);
        await rt.events.changed(def.name, 'delete');
      }
      return { status: 204 };
    }
    default:
      throw methodNotAllowed();
  }
}

const NESTED: Record<string, Record<string, { def: EntityName; field: string }>> = {
  services: { routes: { def: 'routes', field: 'service' }, plugins: { def: 'plugins', field: 'service' } },
  routes: { plugins: { def: 'plugins', field: 'route' } },
  consumers: { plugins: { def: 'plugins', field: 'consumer' } },
  upstreams: { targets: { def: 'targets', field: 'upstream' } },
};

const FK_COLUMN: Record<string, string> = {
  service: 'service_id',
  route: 'route_id',
  consumer: 'consumer_id',
  upstream: 'upstream_id',
};

/** `/{parent}/{pkey}/{child}` and `/{parent}/{pkey}/{child}/{ckey}`. */
export async function nested(
  rt: Runtime,
  parentName: EntityName,
  pkey: string,
  child: string,
  ckey: string | undefined,
  req: Req,
): Promise<Reply> {
  const rel = NESTED[parentName]?.[child];
  if (!rel) return foreignEntity(rt, parentName, pkey, child, req);
  const parent = await lookup(rt, ENTITIES[parentName], pkey);
  if (!parent) throw notFound();
  const def = ENTITIES[rel.def];
  const scope: Scope = { field: rel.field, id: String(parent.id) };
  const upstreamId = parentName === 'upstreams' ? String(parent.id) : undefined;
  if (ckey === undefined || (child === 'targets' && ckey === 'all')) {
    if (req.method === 'GET') {
      return list(
        rt,
        def,
        req,
        { [FK_COLUMN[rel.field] ?? '']: parent.id },
        `/${parentName}/${pkey}/${child}`,
        true,
      );
    }
    if (req.method === 'POST' && ckey === undefined) {
      const b = await body(req);
      const e = await create(rt.store, def, b.data, b.form, scope);
      await rt.events.changed(def.name, 'create');
      return { status: 201, body: e };
    }
    throw methodNotAllowed();
  }
  return entity(rt, def, ckey, req, scope, upstreamId);
}

/** `/routes/{r}/service`, `/plugins/{p}/route|service|consumer`, `/targets/..` style foreign entity endpoints. */
async function foreignEntity(
  rt: Runtime,
  parentName: EntityName,
  pkey: string,
  field: string,
  req: Req,
): Promise<Reply> {
  const parentDef = ENTITIES[parentName];
  const refName = parentDef.foreign[field];
  if (!refName || field === 'client_certificate') throw notFound();
  const parent = await lookup(rt, parentDef, pkey);
  if (!parent) throw notFound();
  const ref = parent[field] as { id?: string } | null;
  const def = ENTITIES[refName];
  if (req.method === 'GET' || req.method === 'PATCH') {
    if (!ref?.id) throw notFound();
    return entity(rt, def, ref.id, req, undefined);
  }
  if (req.method === 'PUT' && ref?.id) return entity(rt, def, ref.id, req, undefined);
  if (req.method === 'DELETE') throw methodNotAllowed();
  if (req.method === 'PUT') throw notFound();
  throw methodNotAllowed();
}

export function isEntityName(s: string): s is EntityName {
  return s in ENTITIES && s !== 'targets';
}

export { ApiError };
