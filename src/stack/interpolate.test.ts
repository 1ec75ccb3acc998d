import { describe, expect, it } from 'vitest';
import { interpolateString, parseDotEnv } from './interpolate.ts';

const ctx = { vars: { A: 'a', EMPTY: '' }, secret: (n: string) => `secret-${n}` };
const at = () => 'f.yaml:1:1';

describe('interpolateString', () => {
  it.each([
    ['${A}', 'a'],
    ['x${A}y', 'xay'],
    ['${MISSING:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${MISSING-d}', 'd'],
    ['$$A', '$A'],
    ['$A stays', '$A stays'],
    ['${secret:db-pass}', 'secret-db-pass'],
  ])('%s -> %s', (input, output) => {
    expect(interpolateString(input, ctx, at)).toBe(output);
  });

  it('refuses a missing variable and a malformed expression, saying where', () => {
    expect(() => interpolateString('${NOPE}', ctx, at)).toThrow('f.yaml:1:1: variable NOPE is not set');
    expect(() => interpolateString('${1bad}', ctx, at)).toThrow("f.yaml:1:1: cannot interpolate '${1bad}'");
  });
});

describe('parseDotEnv', () => {
  it('reads KEY=VALUE lines, quotes, export and comments', () => {
    expect(parseDotEnv('# c\nA=1\nexport B="two words"\nC=\'3\'\n\nbad line\n')).toEqual({
      A: '1',
      B: 'two words',
      C: '3',
    });
  });
});
