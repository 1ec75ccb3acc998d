// Parses the YAML files mkdev ships into dist/parsed-yaml.json (src/stack/parsed-ahead.ts says why).
// A file whose value JSON cannot carry exactly is left out: it is parsed at run time, as before.
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_STACK_FILE } from '../src/stack/load-stack.ts';
import { PARSED_AHEAD_FILE, type ParsedAhead, textHash } from '../src/stack/parsed-ahead.ts';
import { yamlValue } from '../src/stack/yaml-source.ts';

const table: ParsedAhead = {};
for (const file of [DEFAULT_STACK_FILE]) {
  const text = readFileSync(file, 'utf8');
  const value = yamlValue(text);
  const json = JSON.stringify(value);
  if (isDeepStrictEqual(JSON.parse(json), value)) table[textHash(text)] = json;
  else process.stderr.write(`build: ${file} does not survive JSON; it is parsed at run time\n`);
}
writeFileSync(PARSED_AHEAD_FILE, `${JSON.stringify(table)}\n`);
