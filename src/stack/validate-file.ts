// Reads one stack file: YAML with positions -> interpolation -> schema, with file:line:col errors.
import type { z } from 'zod';
import { UserError } from '../errors.ts';
import { type InterpolationContext, interpolateValue } from './interpolate.ts';
import { type StackFile, stackFileSchema } from './schema.ts';
import type { YamlSource } from './yaml-source.ts';

export interface ValidatedFile {
  readonly source: YamlSource;
  readonly stack: StackFile;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) =>
      typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`,
    '',
  );
}

export function validateStackFile(source: YamlSource, ctx: InterpolationContext): ValidatedFile {
  const interpolated = interpolateValue(source.value, ctx, (path) => source.locate(path));
  const result = stackFileSchema.safeParse(interpolated);
  if (!result.success) throw schemaError(source, result.error);
  return { source, stack: result.data };
}

function schemaError(source: YamlSource, error: z.ZodError): UserError {
  const lines = error.issues.slice(0, 5).map((issue) => {
    // Unknown keys are reported on the parent; point at the key itself.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = keys.length > 0 ? [...issue.path, keys[0] as string] : issue.path;
    const field = formatPath(path);
    const message =
      issue.code === 'unrecognized_keys' ? `unknown field '${keys.join("', '")}'` : issue.message;
    return `${source.locate(path)}: ${field === '' ? '' : `${field}: `}${message}`;
  });
  const more = error.issues.length > 5 ? `\n(and ${error.issues.length - 5} more)` : '';
  const [first = '', ...rest] = lines;
  return new UserError(first, {
    details: rest.length > 0 || more ? `${rest.join('\n')}${more}` : undefined,
    hint: 'fix the stack file at that position; `stacks/mkdev.schema.json` gives editors completion and checks',
  });
}
