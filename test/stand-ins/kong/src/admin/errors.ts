// Kong's DAO error bodies (kong/db/errors.lua) and the HTTP status each maps to.
import { type Errors, violationMessage } from './fields.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.message ?? status));
    this.status = status;
    this.body = body;
  }
}

export const schemaViolation = (fields: Errors): ApiError =>
  new ApiError(400, { code: 2, name: 'schema violation', message: violationMessage(fields), fields });

/** Lua-table style rendering Kong uses in messages: `{name="x"}`, `{id="..."}`. */
export function luaTable(obj: Record<string, unknown>): string {
  const parts = Object.keys(obj)
    .sort()
    .map((k) => {
      const v = obj[k];
      if (v === null || v === undefined) return `${k}=null`;
      if (typeof v === 'object') return `${k}=${luaTable(v as Record<string, unknown>)}`;
      return typeof v === 'string' ? `${k}="${v}"` : `${k}=${v}`;
    });
  return `{${parts.join(',')}}`;
}

export const uniqueViolation = (fields: Record<string, unknown>): ApiError =>
  new ApiError(409, {
    code: 5,
    name: 'unique constraint violation',
    message: `UNIQUE violation detected on '${luaTable(fields)}'`,
    fields,
  });

export const primaryKeyViolation = (id: string): ApiError =>
  new ApiError(400, {
    code: 3,
    name: 'primary key violation',
    message: `primary key violation on key '{id="${id}"}'`,
    fields: { id },
  });

export const foreignKeyViolation = (field: string, value: string, entity: string, key = 'id'): ApiError =>
  new ApiError(400, {
    code: 4,
    name: 'foreign key violation',
    message: `the foreign key '{${key}="${value}"}' does not reference an existing '${entity}' entity.`,
    fields: { [field]: { [key]: value } },
  });

export const referencedByOthers = (other: string, entity: string): ApiError =>
  new ApiError(400, {
    code: 4,
    name: 'foreign key violation',
    message: `an existing '${other}' entity references this '${entity}' entity`,
    fields: { '@referenced_by': other },
  });

export const notFound = (): ApiError => new ApiError(404, { message: 'Not found' });

export const invalidOffset = (offset: string, why: string): ApiError =>
  new ApiError(400, {
    code: 7,
    name: 'invalid offset',
    message: `'${offset}' is not a valid offset: ${why}`,
  });

export const invalidSize = (message: string): ApiError =>
  new ApiError(400, { code: 9, name: 'invalid size', message });

export const invalidOptions = (message: string, fields: Record<string, unknown>): ApiError =>
  new ApiError(400, { code: 11, name: 'invalid options', message, fields });

export const operationUnsupported = (message: string): ApiError =>
  new ApiError(405, { code: 12, name: 'operation unsupported', message });

export const methodNotAllowed = (): ApiError => new ApiError(405, { message: 'Method not allowed' });
