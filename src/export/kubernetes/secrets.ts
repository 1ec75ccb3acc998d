// The stack's generated credentials go in one Secret; every place that uses one (an env var, a part of
// a connection string, a command argument) refers to it instead of carrying it inline.
import { readFileSync } from 'node:fs';
import type { ISecret } from 'kubernetes-models/v1';
import type { Stack } from '../../stack/model.ts';
import { secretsFile } from '../../stack/secrets.ts';
import { type ExportContext, metadataFor } from './objects.ts';

/** Secret value -> its key in the Secret (the name mkdev generated it under: `postgres-password`). */
export type SecretKeys = ReadonlyMap<string, string>;

export function secretKeysOf(stack: Stack): SecretKeys {
  let names: Record<string, string> = {};
  try {
    const all = JSON.parse(readFileSync(secretsFile(stack.projectDir), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    names = all[stack.project] ?? {};
  } catch {
    // Secrets kept elsewhere (a test's state directory): they get positional names below.
  }
  const byValue = new Map(Object.entries(names).map(([name, value]) => [value, name]));
  return new Map(stack.secrets.map((value, i) => [value, byValue.get(value) ?? `secret-${i + 1}`]));
}

/** The env var a container gets a secret in when the secret is only part of a value. */
export function secretEnvName(key: string): string {
  return `MKDEV_SECRET_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function secretObject(ctx: ExportContext, keys: SecretKeys, extra: Record<string, string>): ISecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadataFor(ctx, ctx.secretName, ctx.project),
    type: 'Opaque',
    stringData: { ...Object.fromEntries([...keys].map(([value, key]) => [key, value])), ...extra },
  };
}

/**
 * Kubernetes expands $(VAR) in env values, command and args, and reads $$ as one $: a literal value
 * keeps its meaning when each $ that precedes ( or $ is doubled.
 */
function escapeExpansion(value: string): string {
  return value.replace(/\$(?=[$(])/g, '$$$$');
}

/** Splits a value at the secrets it contains: literal text and secret keys, in order. */
export function splitSecrets(value: string, keys: SecretKeys): ({ text: string } | { secret: string })[] {
  const values = [...keys.keys()].filter((v) => v !== '' && value.includes(v));
  if (values.length === 0) return [{ text: value }];
  // Longest first, so a secret that contains another is matched whole.
  values.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const parts: ({ text: string } | { secret: string })[] = [];
  let last = 0;
  for (const match of value.matchAll(pattern)) {
    if (match.index > last) parts.push({ text: value.slice(last, match.index) });
    parts.push({ secret: keys.get(match[0]) ?? '' });
    last = match.index + match[0].length;
  }
  if (last < value.length) parts.push({ text: value.slice(last) });
  return parts;
}

/** A value for env, command or args: literal text escaped, each secret as $(MKDEV_SECRET_...). */
export function expandable(value: string, keys: SecretKeys, used: Set<string>): string {
  return splitSecrets(value, keys)
    .map((p) => {
      if ('text' in p) return escapeExpansion(p.text);
      used.add(p.secret);
      return `$(${secretEnvName(p.secret)})`;
    })
    .join('');
}
