// The YAML files mkdev ships (the default stack), parsed when mkdev is built: `npm run build` writes
// their values, and the line:col of every path to depth 3 (what loading a stack locates without an
// error: each service and its role), to dist/parsed-yaml.json by the hash of their text. Parsing the default stack is most of
// what loading a stack costs a short command (yaml's parser, cold: ~40 ms of the CPU of `mkdev status`
// on a quiet machine, 80-120 ms on a loaded one, against 0.2 ms for JSON.parse). Keyed by content, an
// edited file never matches: it is parsed as any other.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-root.ts';

export const PARSED_AHEAD_FILE = packagePath('dist', 'parsed-yaml.json');

export interface ParsedFile {
  /** The value, as JSON. */
  readonly value: string;
  /** JSON of a path -> "line:col". */
  readonly at: Readonly<Record<string, string>>;
}

/** Hash of a YAML text -> what the build parsed from it. */
export type ParsedAhead = Record<string, ParsedFile>;

/** What a file's YAML source needs from the build's parse: a fresh copy of the value, and positions. */
export interface KnownText {
  readonly value: unknown;
  /** "line:col" of a path the build located, or undefined. */
  position(path: readonly PropertyKey[]): string | undefined;
}

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

export const pathKey = (path: readonly PropertyKey[]) => JSON.stringify(path.map(String));

/** What the build parsed from exactly this text, or undefined. */
export function parsedAhead(text: string): KnownText | undefined {
  table ??= load();
  const file = table[textHash(text)];
  if (file === undefined) return undefined;
  return { value: JSON.parse(file.value), position: (path) => file.at[pathKey(path)] };
}
