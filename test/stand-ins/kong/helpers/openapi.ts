// Validates Admin API responses against the published Kong 3.9 OpenAPI spec with Ajv (OpenAPI 3.0 semantics:
// `nullable`, formats via ajv-formats). $refs are resolved here, so full response schemas are checked.
//
// Errata applied to the published file, each a documented slip of the spec, not a relaxation of Kong:
//  1. Kong's Admin API renders unset optional fields as JSON null (kong/api/endpoints.lua: `nulls = true`);
//     the spec never says `nullable`, so every property of a component schema is made nullable.
//  2. Creating endpoints answer 201 (endpoints.lua `created()`); the spec documents 200 for them, so a 201
//     from a POST that documents only 200 is validated against the 200 schema.
//  3. `GET /services` documents the Service object instead of the page; such a list is validated as
//     `{data: [Service], offset?, next}`.
//  4. The path `/services/{service_id_or_name}plugins` lacks a slash; it is read as `.../plugins`.
//  6. `GET /plugins` points at `components.responses.plugin-response`, which contradicts the spec's own
//     Plugin schema (route/service/consumer as strings, a protocols enum without "https", Kong's default);
//     that page is validated as `{data: [Plugin], offset?, next}`.
//  5. Error statuses that endpoints.lua produces on every entity endpoint (400, 404, 405, 409, 415) but the
//     spec leaves out are validated against Kong's error body (kong/db/errors.lua).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
type Json = Record<string, unknown>;

const SPEC_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'spec',
  'kong-admin-oss-3.9.openapi.yaml',
);

const ERROR_BODY = {
  type: 'object',
  required: ['message'],
  properties: {
    message: { type: 'string' },
    code: { type: 'integer' },
    name: { type: 'string' },
    fields: { type: 'object' },
  },
};

/** Paths mkdev's tests call that the published spec does not describe at all. */
export const UNDOCUMENTED_PATHS = [
  '/plugins/enabled',
  '/upstreams/{u}/targets/all',
  '/upstreams/{u}/health',
  '/routes/{r}/service',
  '/metrics',
].map((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`));

function makeNullable(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Json;
  if (s.properties && typeof s.properties === 'object') {
    for (const prop of Object.values(s.properties as Json)) {
      if (prop && typeof prop === 'object' && 'type' in prop) (prop as Json).nullable = true;
      makeNullable(prop);
    }
  }
  if (s.items) makeNullable(s.items);
}

function deref(node: unknown, root: Json, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => deref(n, root, seen));
  if (!node || typeof node !== 'object') return node;
  const obj = node as Json;
  if (typeof obj.$ref === 'string') {
    const ref = obj.$ref;
    if (seen.includes(ref)) throw new Error(`cyclic $ref ${ref}`);
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((acc, k) => (acc as Json)[k.replace(/~1/g, '/').replace(/~0/g, '~')], root);
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    return deref(target, root, [...seen, ref]);
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'example' || k === 'examples' || k === 'x-examples') continue;
    out[k] = deref(v, root, seen);
  }
  return out;
}

interface Operation {
  template: string;
  re: RegExp;
  literals: number;
  method: string;
  responses: Record<string, Json | undefined>;
}

export class SpecValidator {
  private readonly ops: Operation[] = [];
  private readonly ajv: Ajv;
  private readonly compiled = new Map<unknown, ValidateFunction>();

  constructor(path = SPEC_PATH) {
    const spec = parse(readFileSync(path, 'utf8')) as Json;
    const components = spec.components as Json;
    for (const s of Object.values(components.schemas as Json)) makeNullable(s);
    const plugins = ((spec.paths as Json)['/plugins'] as Json).get as Json;
    (plugins.responses as Json)['200'] = {
      description: 'erratum 6',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Plugin' } } },
    };
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    for (const [rawPath, item] of Object.entries(spec.paths as Json)) {
      const template =
        rawPath === '/services/{service_id_or_name}plugins'
          ? '/services/{service_id_or_name}/plugins'
          : rawPath;
      const segs = template.split('/');
      const re = new RegExp(
        `^${segs.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`,
      );
      for (const [method, op] of Object.entries(item as Json)) {
        if (method === 'parameters') continue;
        const responses: Record<string, Json | undefined> = {};
        for (const [code, resp] of Object.entries(((op as Json).responses ?? {}) as Json)) {
          const r = deref(resp, spec) as Json;
          const content = r.content as Json | undefined;
          const json = content?.['application/json'] as Json | undefined;
          responses[code] = json?.schema as Json | undefined;
        }
        this.ops.push({
          template,
          re,
          literals: segs.filter((s) => s && !s.startsWith('{')).length,
          method: method.toUpperCase(),
          responses,
        });
      }
    }
  }

  find(method: string, path: string): Operation | undefined {
    return this.ops
      .filter((o) => o.method === method && o.re.test(path))
      .sort((a, b) => b.literals - a.literals)[0];
  }

  private compile(schema: unknown): ValidateFunction {
    let v = this.compiled.get(schema);
    if (!v) {
      v = this.ajv.compile(schema as object);
      this.compiled.set(schema, v);
    }
    return v;
  }

  /** Throws unless `body` is what the spec allows for `method path` answering `status`. */
  validate(method: string, rawPath: string, status: number, body: unknown): { template: string } {
    const path = rawPath.split('?')[0]?.replace(/\/+$/, '') || '/';
    if (UNDOCUMENTED_PATHS.some((re) => re.test(path))) {
      throw new Error(`${method} ${path} is not in the published spec; call it with allowUndocumented`);
    }
    const op = this.find(method, path);
    if (!op) throw new Error(`no operation in the spec for ${method} ${path}`);
    const code = String(status);
    let schema: unknown;
    if (code in op.responses) schema = op.responses[code];
    else if (code === '201' && method === 'POST' && '200' in op.responses) schema = op.responses['200'];
    else if (['400', '404', '405', '409', '415'].includes(code)) schema = ERROR_BODY;
    else
      throw new Error(
        `${method} ${op.template}: status ${status} is not documented (${Object.keys(op.responses).join(', ')})`,
      );
    if (schema === undefined) return { template: op.template };
    const s = schema as Json;
    const props = s.properties as Json | undefined;
    const isList = method === 'GET' && !op.template.endsWith('}') && !!props?.id && !props?.data;
    if (isList && status === 200) {
      schema = {
        type: 'object',
        required: ['data', 'next'],
        properties: {
          data: { type: 'array', items: s },
          offset: { type: 'string' },
          next: { type: 'string', nullable: true },
        },
      };
    }
    const validate = this.compile(schema);
    if (!validate(body)) {
      throw new Error(
        `${method} ${op.template} ${status}: response violates the spec: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
      );
    }
    return { template: op.template };
  }
}
