// Keeps the layering the README describes: reads every import of src/ (static, dynamic, re-exports,
// type-only alike) and fails on an import that runs up the layers or on any import cycle. Tests beside
// the code are left out: a unit test may build its fixture with a higher layer's helper.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/**
 * Lower numbers sit lower; a folder imports its own files and folders of a lower rank only. Files at
 * src/'s root (errors, abort, version, index) are the bottom. engine and readiness are one layer.
 * export, scaffold and doctor are features the CLI offers beside project's verbs; ui (the dashboard)
 * sits beside output; testing and register are public entry points that nothing in src/ imports.
 */
const RANK: Readonly<Record<string, number>> = {
  '': 0,
  // mkdev/register is vendored into scaffolded services, so it imports nothing from the rest of src:
  // at the bottom, any layer may use it and it may use none.
  register: 0,
  stack: 1,
  engine: 2,
  readiness: 2,
  plan: 3,
  platform: 4,
  project: 5,
  export: 5,
  scaffold: 5,
  doctor: 5,
  output: 6,
  ui: 6,
  // The daily loop: bring-up and the platform underneath, the CLI above; watch reads host-run's records
  // (it leaves a service that `mkdev run` has on the host alone).
  'host-run': 6,
  watch: 6.5,
  cli: 7,
  testing: 8,
};
const SAME_LAYER = new Set(['engine>readiness', 'readiness>engine']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative imports of TypeScript files (not a page's CSS), resolved to paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)];
  return found
    .map((m) => relative(SRC, resolve(dirname(file), m[1] as string)))
    .filter((path) => path.endsWith('.ts'));
}

const folderOf = (path: string) => (path.includes('/') ? (path.split('/')[0] as string) : '');

const graph = new Map(sourceFiles(SRC).map((f) => [relative(SRC, f), importsOf(f)]));

describe('the architecture of src/', () => {
  it('knows the layer of every folder', () => {
    const folders = [...new Set([...graph.keys()].map(folderOf))];
    expect(folders.filter((f) => RANK[f] === undefined)).toEqual([]);
  });

  it('has no import running up the layers', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      for (const target of imports) {
        const to = folderOf(target);
        if (from === to || SAME_LAYER.has(`${from}>${to}`)) continue;
        if ((RANK[to] ?? 99) >= (RANK[from] ?? -1)) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('imports only files that exist', () => {
    const missing = [...graph].flatMap(([file, imports]) =>
      imports.filter((t) => !graph.has(t)).map((t) => `${file} -> ${t}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it('keeps the watch loop out of the CLI: src/watch/ imports nothing from src/cli/', () => {
    // Named on its own (the ranks already forbid it): the loop is tested on fakes, and `mkdev watch`
    // and `up --watch` share it only while it owns no argument handling or output of either.
    const intoCli = [...graph]
      .filter(([file]) => folderOf(file) === 'watch')
      .flatMap(([file, imports]) =>
        imports.filter((t) => folderOf(t) === 'cli').map((t) => `${file} -> ${t}`),
      );
    expect(graph.has('watch/watch-loop.ts')).toBe(true);
    expect(intoCli).toEqual([]);
  });

  it('reaches the engine only through the port: no folder but src/engine/ imports dockerode, not even a type', () => {
    const outside = sourceFiles(SRC).filter((f) => folderOf(relative(SRC, f)) !== 'engine');
    const dockerode = /\bfrom\s*'dockerode'|\bimport\s*\(\s*'dockerode'\s*\)/;
    expect(
      outside.filter((f) => dockerode.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f)),
    ).toEqual([]);
  });
});

function findCycle(edges: ReadonlyMap<string, readonly string[]>): string | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node].join(' -> ');
    state.set(node, 'visiting');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}
