// The build's parse of the default stack (scripts/build-parsed-yaml.ts; the unit tier builds first)
// stands in for yaml's only for the exact text it parsed, and errors still point at file:line:col.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STACK_FILE } from './load-stack.ts';
import { parsedAhead } from './parsed-ahead.ts';
import { parseYamlText, readYamlSource } from './yaml-source.ts';

const text = readFileSync(DEFAULT_STACK_FILE, 'utf8');

describe('YAML parsed ahead', () => {
  it('has the default stack, with the value yaml gives it', () => {
    const ahead = parsedAhead(text);
    expect(ahead).toBeDefined();
    expect(ahead?.value).toEqual(parseYamlText(text).value);
  });

  it('hands out a fresh copy each time', () => {
    const nameOf = () => (parsedAhead(text)?.value as { name?: string } | undefined)?.name;
    const first = parsedAhead(text)?.value as { name?: string };
    first.name = 'changed';
    expect(nameOf()).toBe('microkubes');
  });

  it('does not know an edited text', () => {
    expect(parsedAhead(`${text}\n# edited\n`)).toBeUndefined();
  });

  it('locates a path in a file parsed ahead at its line and column', async () => {
    const source = await readYamlSource(DEFAULT_STACK_FILE, 'stacks/microkubes.yaml');
    const lines = text.split('\n');
    const line = lines.indexOf('  kong:') + 1;
    expect(line).toBeGreaterThan(0);
    expect(source.locate(['services', 'kong'])).toBe(`stacks/microkubes.yaml:${line}:3`);
  });

  it('locates every path as yaml does: the recorded ones, and deeper or missing ones parsed on demand', async () => {
    const source = await readYamlSource(DEFAULT_STACK_FILE, 'f');
    const fresh = parseYamlText(text);
    for (const path of [
      ['services', 'kong', 'role'],
      ['services', 'postgres', 'env', 'POSTGRES_USER'],
      ['services', 'nope'],
      ['services', 'kong', 'ports', 0],
    ]) {
      expect(source.locate(path)).toBe(`f:${fresh.position(path)}`);
    }
  });
});
