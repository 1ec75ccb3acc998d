// The stack file's JSON Schema, generated from the same zod schema that validates it, so editors and
// mkdev never disagree. Written to stacks/mkdev.schema.json by `npm run schema`.
import * as z from 'zod';
import { stackFileSchema } from './schema.ts';

export function stackJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(stackFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    title: 'mkdev stack file (stacks/microkubes.yaml, mkdev.yaml)',
  };
}

export function stackJsonSchemaText(): string {
  return `${JSON.stringify(stackJsonSchema(), null, 2)}\n`;
}
