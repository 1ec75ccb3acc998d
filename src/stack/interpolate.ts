// `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `${secret:NAME}` in stack files, as Compose users
// expect; `$$` is a literal `$`. A bare `$name` (as in shell scripts inside entrypoints) is left alone.
import { UserError } from '../errors.ts';

export interface InterpolationContext {
  readonly vars: Readonly<Record<string, string | undefined>>;
  /** Returns the generated secret NAME (created and kept on first use). */
  readonly secret: (name: string) => string;
}

const PATTERN = /\$\$|\$\{([^}]*)\}/g;

export function interpolateString(text: string, ctx: InterpolationContext, where: () => string): string {
  return text.replace(PATTERN, (match, body: string | undefined) => {
    if (match === '$$') return '$';
    const expr = (body ?? '').trim();
    if (expr.startsWith('secret:')) {
      const name = expr.slice('secret:'.length);
      if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
        throw new UserError(`${where()}: bad secret name '${name}' in '${match}'`, {
          hint: 'secret names use lower-case letters, digits and dashes',
        });
      }
      return ctx.secret(name);
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/.exec(expr);
    if (m === null) {
      throw new UserError(`${where()}: cannot interpolate '${match}'`, {
        hint: 'use ${VAR}, ${VAR:-default} or ${secret:name}; write $$ for a literal $',
      });
    }
    const [, name = '', op, fallback = ''] = m;
    const value = ctx.vars[name];
    if (op === ':-') return value === undefined || value === '' ? fallback : value;
    if (op === '-') return value === undefined ? fallback : value;
    if (value === undefined) {
      throw new UserError(`${where()}: variable ${name} is not set`, {
        hint: `set ${name} in the environment or in .env, or give a default: \${${name}:-value}`,
      });
    }
    return value;
  });
}

/** Interpolates every string in a parsed YAML value; `locate` turns a path into file:line:col. */
export function interpolateValue(
  value: unknown,
  ctx: InterpolationContext,
  locate: (path: readonly PropertyKey[]) => string,
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, ctx, () => locate(path));
  if (Array.isArray(value)) return value.map((v, i) => interpolateValue(v, ctx, locate, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateValue(v, ctx, locate, [...path, k])]),
    );
  }
  return value;
}

/** Reads a .env file: KEY=VALUE lines, # comments, optional quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m === null) continue;
    let v = m[2] ?? '';
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    vars[m[1] as string] = v;
  }
  return vars;
}
