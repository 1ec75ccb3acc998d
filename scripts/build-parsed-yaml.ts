// Parses the YAML files mkdev ships into dist/parsed-yaml.json (src/stack/parsed-ahead.ts says why).
// A file whose value JSON cannot carry exactly is left out: it is parsed at run time, as before.
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_STACK_FILE } from '../src/stack/load-stack.ts';
import { PARSED_AHEAD_FILE, type ParsedAhead, pathKey, textHash } from '../src/stack/parsed-ahead.ts';
import { parseYamlText } from '../src/stack/yaml-source.ts';

/** Every path through maps, to `depth` keys: [], [services], [services, kong], [services, kong, role]... */
function paths(value: unknown, depth: number, prefix: string[] = []): string[][] {
  const here = [prefix];
  if (depth === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return here;
  return here.concat(...Object.entries(value).map(([k, v]) => paths(v, depth - 1, [...prefix, k])));
}

const table: ParsedAhead = {};
for (const file of [DEFAULT_STACK_FILE]) {
  const text = readFileSync(file, 'utf8');
  const parsed = parseYamlText(text);
  const json = JSON.stringify(parsed.value);
  if (!isDeepStrictEqual(JSON.parse(json), parsed.value)) {
    process.stderr.write(`build: ${file} does not survive JSON; it is parsed at run time\n`);
    continue;
  }
  const at = Object.fromEntries(paths(parsed.value, 3).map((p) => [pathKey(p), parsed.position(p)]));
  table[textHash(text)] = { value: json, at };
}
writeFileSync(PARSED_AHEAD_FILE, `${JSON.stringify(table)}\n`);
