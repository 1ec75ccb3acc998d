// The build's parse of the default stack (scripts/build-parsed-yaml.ts; the unit tier builds first)
// stands in for yaml's only for the exact text it parsed, and errors still point at file:line:col.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STACK_FILE } from './load-stack.ts';
import { parsedAhead } from './parsed-ahead.ts';
import { readYamlSource, yamlValue } from './yaml-source.ts';

const text = readFileSync(DEFAULT_STACK_FILE, 'utf8');

describe('YAML parsed ahead', () => {
  it('has the default stack, with the value yaml gives it', () => {
    const ahead = parsedAhead(text);
    expect(ahead).toBeDefined();
    expect(ahead).toEqual(yamlValue(text));
  });

  it('hands out a fresh copy each time', () => {
    const first = parsedAhead(text) as { name?: string };
    first.name = 'changed';
    expect((parsedAhead(text) as { name?: string }).name).toBe('microkubes');
  });

  it('does not know an edited text', () => {
    expect(parsedAhead(`${text}\n# edited\n`)).toBeUndefined();
  });

  it('locates a path in a file parsed ahead at its line and column', async () => {
    const source = await readYamlSource(DEFAULT_STACK_FILE, 'stacks/microkubes.yaml');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l === '  kong:') + 1;
    expect(line).toBeGreaterThan(0);
    expect(source.locate(['services', 'kong'])).toBe(`stacks/microkubes.yaml:${line}:3`);
  });
});
