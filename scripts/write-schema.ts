// Writes stacks/mkdev.schema.json from the zod schema (see src/stack/json-schema.ts).
import { writeFileSync } from 'node:fs';
import { stackJsonSchemaText } from '../src/stack/json-schema.ts';

writeFileSync(new URL('../stacks/mkdev.schema.json', import.meta.url), stackJsonSchemaText());
