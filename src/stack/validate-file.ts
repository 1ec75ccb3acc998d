// Reads one stack file: YAML with positions -> interpolation -> schema, with file:line:col errors.
import type { z } from 'zod';
import { UserError } from '../errors.ts';
import { type InterpolationContext, interpolateValue } from './interpolate.ts';
import { type StackFile, stackFileSchema } from './schema.ts';
import { describeIssue } from './schema-issue.ts';
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
  if (!result.success) throw schemaError(source, result.error, interpolated);
  return { source, stack: result.data };
}

function schemaError(source: YamlSource, error: z.ZodError, input: unknown): UserError {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const { path, message } = describeIssue(issue, input);
    const field = formatPath(path);
    return `${source.locate(path)}: ${field === '' ? '' : `${field}: `}${message}`;
  });
  const more = error.issues.length > 5 ? `\n(and ${error.issues.length - 5} more)` : '';
  const [first = '', ...rest] = lines;
  return new UserError(first, {
    details: rest.length > 0 || more ? `${rest.join('\n')}${more}` : undefined,
    hint: 'fix the stack file at that position; `stacks/mkdev.schema.json` gives editors completion and checks',
  });
}
