// The YAML files mkdev ships (the default stack), parsed when mkdev is built: `npm run build` writes
// their values to dist/parsed-yaml.json by the hash of their text. Parsing the default stack is most of
// what loading a stack costs a short command (yaml's parser, cold: ~40 ms of the CPU of `mkdev status`
// on a quiet machine, 80-120 ms on a loaded one, against 0.2 ms for JSON.parse). Keyed by content, an
// edited file never matches: it is parsed as any other.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-root.ts';

export const PARSED_AHEAD_FILE = packagePath('dist', 'parsed-yaml.json');

/** Hash of a YAML text -> its value as JSON. */
export type ParsedAhead = Record<string, string>;

let table: ParsedAhead | undefined;

function load(): ParsedAhead {
  try {
    return JSON.parse(readFileSync(PARSED_AHEAD_FILE, 'utf8')) as ParsedAhead;
  } catch {
    // Not built (tests on src/ before a build): every file is parsed.
    return {};
  }
}

export const textHash = (text: string) => createHash('sha256').update(text).digest('hex');

/** The value the build parsed for exactly this text (a fresh copy), or undefined. */
export function parsedAhead(text: string): unknown {
  table ??= load();
  const json = table[textHash(text)];
  return json === undefined ? undefined : JSON.parse(json);
}
