// Create / read / upsert / update / delete with Kong's DAO semantics.
import { randomUUID } from 'node:crypto';
import { type Entity, pluginCacheKey, type Store } from '../store.ts';
import { entityChecks, expandShorthands, normalizeTarget } from './entity-rules.ts';
import {
  ApiError,
  foreignKeyViolation,
  operationUnsupported,
  primaryKeyViolation,
  referencedByOthers,
  schemaViolation,
  uniqueViolation,
} from './errors.ts';
import { type Errors, mergeUpdate, UUID_RE, validateField, validateRecord, withDefaults } from './fields.ts';
import { ENTITIES, type EntityDef } from './schemas.ts';

export interface Scope {
  /** Foreign field forced by a nested endpoint, e.g. { service: { id } }. */
  field: string;
  id: string;
}

export async function findByKey(
  store: Store,
  def: EntityDef,
  key: string,
  upstreamId?: string,
): Promise<Entity | null> {
  if (UUID_RE.test(key)) {
    const e = await store.get(def, key.toLowerCase());
    if (e || def.name !== 'targets') return e;
  }
  if (def.name === 'targets') {
    const t = normalizeTarget(key);
    if (!t || !upstreamId) return null;
    return store.getBy(def, { upstream_id: upstreamId, target: t });
  }
  if (!def.endpointKey) return null;
  return store.getBy(def, { [def.endpointKey]: key });
}

function now(def: EntityDef): number {
  return def.tsMs ? Math.floor(Date.now()) / 1000 : Math.floor(Date.now() / 1000);
}

function stripAuto(input: Record<string, unknown>): Errors | undefined {
  const errors: Errors = {};
  if (input.id !== undefined && (typeof input.id !== 'string' || !UUID_RE.test(input.id)))
    errors.id = 'expected a valid UUID';
  for (const k of ['created_at', 'updated_at']) {
    if (input[k] !== undefined && typeof input[k] !== 'number') errors[k] = 'expected an integer';
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/** Validates a complete candidate entity (defaults applied) and returns the normalised form. */
function validateFull(def: EntityDef, candidate: Record<string, unknown>, form: boolean): Entity {
  const auto = stripAuto(candidate);
  if (auto) throw schemaViolation(auto);
  const [out, errors] = validateRecord(def.fields, candidate, form);
  if (errors) throw schemaViolation(errors);
  const checks = entityChecks(def.name, out, form);
  if (checks) throw schemaViolation(checks);
  return out;
}

async function checkReferences(store: Store, def: EntityDef, e: Entity): Promise<void> {
  for (const [field, ref] of Object.entries(def.foreign)) {
    const v = e[field] as Record<string, string> | null;
    if (!v || field === 'client_certificate') continue;
    if (v.id === undefined) {
      // Given by endpoint key ({"name": "orders"}): resolve to the id, as Kong stores and returns it.
      const [key = '', value = ''] = Object.entries(v)[0] ?? [];
      const refDef = ENTITIES[ref];
      const found = refDef.endpointKey === key ? await store.getBy(refDef, { [key]: value }) : null;
      if (!found) throw foreignKeyViolation(field, value, ref, key);
      e[field] = { id: found.id };
      continue;
    }
    if (!(await store.get(ENTITIES[ref], v.id))) throw foreignKeyViolation(field, v.id, ref);
  }
}

async function checkUnique(store: Store, def: EntityDef, e: Entity): Promise<void> {
  for (const u of def.unique) {
    if (e[u] === null || e[u] === undefined) continue;
    const other = await store.getBy(def, { [u]: e[u] });
    if (other && other.id !== e.id) throw uniqueViolation({ [u]: e[u] });
  }
  if (def.name === 'targets') {
    const upstream = (e.upstream as { id: string }).id;
    const other = await store.getBy(def, { upstream_id: upstream, target: e.target });
    if (other && other.id !== e.id) throw uniqueViolation({ target: e.target, upstream: { id: upstream } });
  }
  if (def.name === 'plugins') {
    // the schema's cache_key (name, route, service, consumer: kong/db/schema/entities/plugins.lua:8)
    const other = await store.getBy(def, { cache_key: pluginCacheKey(e, await store.workspace()) });
    if (other && other.id !== e.id)
      throw uniqueViolation({ name: e.name, service: e.service, route: e.route, consumer: e.consumer });
    // plugins_ws_id_instance_name_unique (018_310_to_320)
    if (e.instance_name !== null && e.instance_name !== undefined) {
      const named = await store.getBy(def, { instance_name: e.instance_name });
      if (named && named.id !== e.id) throw uniqueViolation({ instance_name: e.instance_name });
    }
  }
}

function prepareInput(
  def: EntityDef,
  input: Record<string, unknown>,
  scope?: Scope,
): Record<string, unknown> {
  const copy = { ...input };
  if (scope) copy[scope.field] = { id: scope.id };
  const short = expandShorthands(def.name, copy);
  if (short) throw schemaViolation(short);
  return copy;
}

export async function create(
  store: Store | null,
  def: EntityDef,
  input: Record<string, unknown>,
  form: boolean,
  scope?: Scope,
): Promise<Entity> {
  const body = prepareInput(def, input, scope);
  const ts = now(def);
  const candidate = withDefaults(def.fields, { ...body });
  candidate.id = body.id ?? randomUUID();
  candidate.created_at = body.created_at ?? ts;
  candidate.updated_at = body.updated_at ?? ts;
  const e = validateFull(def, candidate, form);
  e.id = String(e.id).toLowerCase();
  if (!store) throw operationUnsupported(`cannot create '${def.name}' entities when not using a database`);
  if (await store.get(def, e.id as string)) throw primaryKeyViolation(e.id as string);
  await checkReferences(store, def, e);
  await checkUnique(store, def, e);
  await store.insert(def, e);
  return e;
}

/** PUT: full replacement (defaults re-applied) of the entity the key names, or creation. */
export async function upsert(
  store: Store | null,
  def: EntityDef,
  key: string,
  input: Record<string, unknown>,
  form: boolean,
  scope?: Scope,
  upstreamId?: string,
): Promise<Entity> {
  const body = prepareInput(def, input, scope);
  const existing = store ? await findByKey(store, def, key, upstreamId) : null;
  const ts = now(def);
  const isId = UUID_RE.test(key);
  if (!isId && def.endpointKey) {
    const bodyKey = body[def.endpointKey];
    const wanted = def.name === 'targets' ? normalizeTarget(key) : key;
    const given = def.name === 'targets' && typeof bodyKey === 'string' ? normalizeTarget(bodyKey) : bodyKey;
    if (bodyKey !== undefined && given !== wanted) {
      throw schemaViolation({ [def.endpointKey]: `must match the value '${key}' given in the path` });
    }
    body[def.endpointKey] = key;
  }
  if (isId && body.id !== undefined && String(body.id).toLowerCase() !== key.toLowerCase()) {
    throw schemaViolation({ id: `must match the value '${key}' given in the path` });
  }
  const candidate = withDefaults(def.fields, { ...body });
  candidate.id = existing?.id ?? (isId ? key.toLowerCase() : randomUUID());
  candidate.created_at = existing?.created_at ?? ts;
  candidate.updated_at = ts;
  const e = validateFull(def, candidate, form);
  if (!store) {
    const by = !isId && def.endpointKey ? ` by '${def.endpointKey}'` : '';
    throw operationUnsupported(
      `cannot create or update '${def.name}' entities${by} when not using a database`,
    );
  }
  await checkReferences(store, def, e);
  await checkUnique(store, def, e);
  if (existing) await store.update(def, e);
  else await store.insert(def, e);
  return e;
}

/** PATCH: merge into the existing entity, records merged deeply. */
export async function update(
  store: Store,
  def: EntityDef,
  existing: Entity,
  input: Record<string, unknown>,
  form: boolean,
): Promise<Entity> {
  const patch = prepareInput(def, input);
  if (patch.id !== undefined && patch.id !== existing.id) throw schemaViolation({ id: 'cannot be changed' });
  const merged = mergeUpdate(def.fields, existing, patch);
  merged.updated_at = now(def);
  const e = validateFull(def, merged, form);
  await checkReferences(store, def, e);
  await checkUnique(store, def, e);
  await store.update(def, e);
  return e;
}

export async function remove(store: Store, def: EntityDef, e: Entity): Promise<void> {
  if (def.name === 'services' && (await store.count(ENTITIES.routes, { service_id: e.id })) > 0) {
    throw referencedByOthers('routes', 'services');
  }
  await store.delete(def, e.id as string);
}

/** DAO update on a missing entity: kong/db/dao/init.lua's NOT_FOUND error (code 6). */
export function daoNotFound(def: EntityDef, key: string): ApiError {
  const byId = UUID_RE.test(key) || !def.endpointKey;
  const fields = byId ? { id: key } : { [def.endpointKey as string]: key };
  const where = byId ? `primary key '{id="${key}"}'` : `'{${def.endpointKey}="${key}"}'`;
  return new ApiError(404, {
    code: 6,
    name: 'not found',
    message: `could not find the entity with ${where}`,
    fields,
  });
}

/** Field-level validation of a PATCH body, which Kong's DAO runs before it reads the entity. */
export function validatePatch(def: EntityDef, input: Record<string, unknown>, form: boolean): void {
  const patch = prepareInput(def, input);
  const errors: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const field = def.fields[k];
    if (!field) {
      errors[k] = 'unknown field';
      continue;
    }
    if (field.auto) continue;
    const [, err] = validateField(field, v, form);
    if (err !== undefined) errors[k] = err;
  }
  if (Object.keys(errors).length > 0) throw schemaViolation(errors);
}
