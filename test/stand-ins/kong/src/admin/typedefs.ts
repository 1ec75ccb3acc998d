// Shared field definitions (Kong's kong/db/schema/typedefs.lua, reduced) and the entity definition type.
import type { Field } from './fields.ts';

export type EntityName = 'services' | 'routes' | 'consumers' | 'upstreams' | 'targets' | 'plugins';

export interface EntityDef {
  name: EntityName;
  /** Path key that is not a UUID resolves through this field. */
  endpointKey: string | null;
  /** Unique fields (besides id). */
  unique: string[];
  fields: Record<string, Field>;
  /** Foreign fields: field name -> referenced entity. */
  foreign: Record<string, EntityName>;
  tsMs?: boolean;
}

const NAME_RE = /^[0-9a-zA-Z.\-_~]+$/;
const HOST_RE =
  /^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*\.?$/;
const IPV6_RE = /^\[?[0-9a-fA-F:.]+\]?$/;

export const isHostname = (v: string): boolean => HOST_RE.test(v) || (v.includes(':') && IPV6_RE.test(v));

export const utf8Name: Field = {
  type: 'string',
  check: (v) =>
    NAME_RE.test(String(v))
      ? undefined
      : `invalid value '${v}': it must only contain alphanumeric and '., -, _, ~' characters`,
};
export const host: Field = {
  type: 'string',
  check: (v) => (isHostname(String(v)) ? undefined : `invalid value: ${String(v)}`),
};
export const tags: Field = {
  type: 'set',
  elements: {
    type: 'string',
    check: (v) =>
      /[,/]/.test(String(v))
        ? 'invalid tag: expected printable ascii (except `,` and `/`) or valid utf-8 sequences'
        : undefined,
  },
};
export const timeout: Field = { type: 'integer', default: 60000, between: [1, 2147483646] };
export const foreign = (reference: string, required = false): Field => ({
  type: 'foreign',
  reference,
  required,
});
export const base = (ms = false): Record<string, Field> => ({
  id: { type: 'string', auto: 'uuid' },
  created_at: { type: ms ? 'number' : 'integer', auto: ms ? 'ts_ms' : 'ts_s' },
  updated_at: { type: ms ? 'number' : 'integer', auto: ms ? 'ts_ms' : 'ts_s' },
});
