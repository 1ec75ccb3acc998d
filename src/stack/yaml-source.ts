// A YAML file kept together with its positions, so every error can say file:line:col.
import { readFile } from 'node:fs/promises';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { UserError } from '../errors.ts';
import { type KnownText, parsedAhead } from './parsed-ahead.ts';

export interface YamlSource {
  readonly file: string;
  readonly value: unknown;
  /** "file:line:col" of the node at `path`, or of its nearest existing parent. */
  locate(path: readonly PropertyKey[]): string;
}

export async function readYamlSource(file: string, displayName = file): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${displayName}: ${code === 'ENOENT' ? 'no such file' : String(error)}`, {
      hint:
        code === 'ENOENT'
          ? "check the path, or run 'mkdev init' to write a mkdev.yaml"
          : 'check that the file is readable by this user',
    });
  }
  const ahead = parsedAhead(text);
  return ahead === undefined ? parseYamlSource(text, displayName) : knownSource(text, displayName, ahead);
}

/** A YAML text as readYamlSource reads it, positions as "line:col" (the build parses mkdev's own with it). */
export function parseYamlText(text: string): {
  value: unknown;
  position(path: readonly PropertyKey[]): string;
} {
  const source = parseYamlSource(text, '');
  return { value: source.value, position: (path) => source.locate(path).slice(1) };
}

function parse(text: string): { doc: Document.Parsed; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  return { doc, lineCounter };
}

/** A file the build parsed ahead: yaml parses it only for a position the build did not record. */
function knownSource(text: string, file: string, known: KnownText): YamlSource {
  let parsed: YamlSource | undefined;
  return {
    file,
    value: known.value,
    locate(path) {
      const position = known.position(path);
      if (position !== undefined) return `${file}:${position}`;
      parsed ??= parseYamlSource(text, file);
      return parsed.locate(path);
    },
  };
}

function parseYamlSource(text: string, file: string): YamlSource {
  const { doc, lineCounter } = parse(text);
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0]);
    const where = `${file}:${pos.line}:${pos.col}`;
    throw new UserError(`${where}: invalid YAML: ${first.message.split('\n')[0]}`, {
      hint: 'fix the YAML syntax at that position',
    });
  }
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  return {
    file,
    value: doc.toJS() ?? {},
    locate(path) {
      let node: unknown = doc.contents;
      let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
      for (const key of path) {
        const next = childOf(node, key);
        if (next === undefined) break;
        node = next.node;
        offset = next.offset;
      }
      return at(offset);
    },
  };
}

function childOf(node: unknown, key: PropertyKey): { node: unknown; offset: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
    if (pair === undefined) return undefined;
    const target = (pair.value ?? pair.key) as Node;
    // Point at the key when the value is a collection: "services.kong" reads best at the key's line.
    const anchor = isMap(target) || isSeq(target) ? (pair.key as Node) : target;
    return { node: pair.value, offset: anchor.range?.[0] ?? 0 };
  }
  if (isSeq(node) && typeof key === 'number') {
    const item = node.items[key] as Node | undefined;
    return item ? { node: item, offset: item.range?.[0] ?? 0 } : undefined;
  }
  return undefined;
}
