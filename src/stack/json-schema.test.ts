import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stackJsonSchema, stackJsonSchemaText } from './json-schema.ts';

describe('stack JSON Schema', () => {
  it('is committed up to date (run `npm run schema` after changing src/stack/schema.ts)', () => {
    const committed = readFileSync(
      fileURLToPath(new URL('../../stacks/mkdev.schema.json', import.meta.url)),
      'utf8',
    );
    expect(committed).toBe(stackJsonSchemaText());
  });

  it('describes services and refuses unknown keys, as the validator does', () => {
    const schema = stackJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['services', 'images', 'extends']));
    expect(schema.additionalProperties).toBe(false);
  });
});
