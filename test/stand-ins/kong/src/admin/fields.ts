// A small version of Kong's schema library: field types, defaults, coercion of form input,
// and Kong's field error messages.
export interface Field {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'set' | 'record' | 'map' | 'foreign' | 'any';
  default?: unknown;
  required?: boolean;
  elements?: Field;
  fields?: Record<string, Field>;
  oneOf?: readonly (string | number)[];
  between?: [number, number];
  check?: (value: unknown) => string | undefined;
  reference?: string;
  auto?: 'uuid' | 'ts_s' | 'ts_ms';
  /** `no_consumer`-style: the field must stay null. */
  mustBeNull?: boolean;
}

export type Errors = Record<string, unknown>;

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TYPE_MSG: Record<string, string> = {
  string: 'expected a string',
  integer: 'expected an integer',
  number: 'expected a number',
  boolean: 'expected a boolean',
  array: 'expected an array',
  set: 'expected a set',
  record: 'expected a record',
  map: 'expected a map',
  foreign: 'expected a record',
};

function coerceScalar(field: Field, value: unknown, form: boolean): unknown {
  if (!form || typeof value !== 'string') return value;
  if (field.type === 'integer' || field.type === 'number') {
    const n = Number(value);
    return value.trim() !== '' && !Number.isNaN(n) ? n : value;
  }
  if (field.type === 'boolean') {
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  return value;
}

/** Fills defaults for absent fields (records recursively); `null` stays as given. */
export function withDefaults(
  fields: Record<string, Field>,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const v = input[name];
    if (v === undefined) {
      if (field.type === 'record' && field.fields && field.default === undefined && !field.required) {
        out[name] = withDefaults(field.fields, {});
      } else {
        out[name] = field.default === undefined ? null : structuredClone(field.default);
      }
    } else if (
      field.type === 'record' &&
      field.fields &&
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v)
    ) {
      out[name] = withDefaults(field.fields, v as Record<string, unknown>);
    } else {
      out[name] = v;
    }
  }
  for (const [k, v] of Object.entries(input)) if (!(k in fields)) out[k] = v;
  return out;
}

/** Deep merge used by PATCH: records are merged, everything else replaced. */
export function mergeUpdate(
  fields: Record<string, Field>,
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    const f = fields[k];
    const cur = current[k];
    if (
      f?.type === 'record' &&
      f.fields &&
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      cur !== null &&
      typeof cur === 'object'
    ) {
      out[k] = mergeUpdate(f.fields, cur as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Validates and normalises one value; returns [value, error]. */
export function validateField(field: Field, value: unknown, form: boolean): [unknown, unknown] {
  if (value === null || value === undefined) {
    if (field.required) return [null, 'required field missing'];
    return [null, undefined];
  }
  if (field.mustBeNull) return [value, 'value must be null'];
  let v = coerceScalar(field, value, form);
  switch (field.type) {
    case 'any':
      return [v, undefined];
    case 'string':
      if (typeof v !== 'string') return [v, TYPE_MSG.string];
      if (v.length === 0) return [v, 'length must be at least 1'];
      break;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return [v, TYPE_MSG.integer];
      break;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return [v, TYPE_MSG.number];
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return [v, TYPE_MSG.boolean];
      break;
    case 'array':
    case 'set': {
      if (form && typeof v === 'string') v = [v];
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) v = [];
      if (!Array.isArray(v)) return [v, TYPE_MSG[field.type]];
      const elems = field.elements ?? { type: 'any' };
      const outArr: unknown[] = [];
      const errs: unknown[] = [];
      let bad = false;
      for (const el of v) {
        if (el === null) {
          errs.push('required field missing');
          bad = true;
          continue;
        }
        const [ev, ee] = validateField(elems, el, form);
        errs.push(ee ?? null);
        if (ee !== undefined) bad = true;
        if (field.type === 'set' && outArr.some((x) => JSON.stringify(x) === JSON.stringify(ev))) continue;
        outArr.push(ev);
      }
      if (bad) return [v, errs];
      v = outArr;
      break;
    }
    case 'record': {
      if (typeof v !== 'object' || Array.isArray(v)) return [v, TYPE_MSG.record];
      const [rv, re] = validateRecord(field.fields ?? {}, v as Record<string, unknown>, form);
      if (re) return [v, re];
      v = rv;
      break;
    }
    case 'map':
      if (typeof v !== 'object' || Array.isArray(v)) return [v, TYPE_MSG.map];
      break;
    case 'foreign': {
      if (typeof v === 'string' && form) v = { id: v };
      if (typeof v !== 'object' || Array.isArray(v)) return [v, TYPE_MSG.foreign];
      const rec = v as Record<string, unknown>;
      const extra = Object.keys(rec).filter((k) => !FOREIGN_KEYS.has(k));
      if (extra.length > 0) return [v, Object.fromEntries(extra.map((k) => [k, 'unknown field']))];
      // Kong also takes a foreign key by the referenced entity's endpoint key, e.g.
      // {"service": {"name": "orders"}}; crud.ts resolves it to the id before storing.
      const byKey =
        rec.id === undefined ? Object.entries(rec).find(([, value]) => typeof value === 'string') : undefined;
      if (byKey) {
        v = { [byKey[0]]: byKey[1] };
        break;
      }
      if (typeof rec.id !== 'string' || !UUID_RE.test(rec.id)) return [v, { id: 'expected a valid UUID' }];
      v = { id: rec.id.toLowerCase() };
      break;
    }
  }
  if (field.oneOf && !field.oneOf.includes(v as string | number)) {
    return [v, `expected one of: ${field.oneOf.join(', ')}`];
  }
  if (field.between && typeof v === 'number' && (v < field.between[0] || v > field.between[1])) {
    return [v, `value should be between ${field.between[0]} and ${field.between[1]}`];
  }
  const custom = field.check?.(v);
  if (custom) return [v, custom];
  return [v, undefined];
}

/** Keys a foreign reference may be given by: the id, or an endpoint key (services/routes/upstreams: name; consumers: username). */
const FOREIGN_KEYS = new Set(['id', 'name', 'username']);

export function validateRecord(
  fields: Record<string, Field>,
  input: Record<string, unknown>,
  form: boolean,
): [Record<string, unknown>, Errors | undefined] {
  const out: Record<string, unknown> = {};
  const errors: Errors = {};
  for (const [k, v] of Object.entries(input)) {
    const field = fields[k];
    if (!field) {
      errors[k] = 'unknown field';
      continue;
    }
    const [fv, fe] = validateField(field, v, form);
    if (fe !== undefined) errors[k] = fe;
    out[k] = fv;
  }
  for (const [k, f] of Object.entries(fields)) {
    if (f.required && (out[k] === undefined || out[k] === null) && errors[k] === undefined) {
      errors[k] = 'required field missing';
    }
    if (!(k in out)) out[k] = f.default === undefined ? null : structuredClone(f.default);
  }
  return [out, Object.keys(errors).length > 0 ? errors : undefined];
}

/** Kong's message for a schema violation: `schema violation (a: x)` or `2 schema violations (a: x; b: y)`. */
export function violationMessage(errors: Errors): string {
  const parts: string[] = [];
  const walk = (prefix: string, e: unknown): void => {
    if (e === null || e === undefined) return;
    if (typeof e === 'string') {
      parts.push(prefix === '@entity' || prefix === '' ? e : `${prefix}: ${e}`);
    } else if (Array.isArray(e)) {
      if (prefix === '@entity' && e.every((x) => typeof x === 'string')) {
        for (const x of e) parts.push(x as string);
      } else {
        for (const [i, x] of e.entries()) walk(`${prefix}.${i + 1}`, x);
      }
    } else if (typeof e === 'object') {
      for (const [k, v] of Object.entries(e)) walk(prefix ? `${prefix}.${k}` : k, v);
    }
  };
  for (const k of Object.keys(errors).sort()) walk(k, errors[k]);
  const n = parts.length;
  return n === 1 ? `schema violation (${parts[0]})` : `${n} schema violations (${parts.join('; ')})`;
}
