// Writes docs/commands/ from the commands' specs (`npm run docs:commands`); `--check` writes nothing and
// exits 1 naming each page that differs from what would be written now.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandSpec } from '../src/cli/command.ts';
import { COMMANDS } from '../src/cli/registry.ts';
import { handWrittenPart, helpProblems, renderCommandIndex, renderCommandPage } from './command-docs.ts';

export const COMMAND_DOCS_DIR = fileURLToPath(new URL('../docs/commands/', import.meta.url));

export async function commandSpecs(): Promise<CommandSpec[]> {
  return Promise.all(Object.values(COMMANDS).map(async (c) => (await c.spec()).spec));
}

const readIfThere = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

/** Every page of docs/commands/ as it should be now: file name -> content. */
export async function expectedCommandDocs(dir = COMMAND_DOCS_DIR): Promise<Map<string, string>> {
  const specs = await commandSpecs();
  const problems = specs.flatMap(helpProblems);
  if (problems.length > 0)
    throw new Error(`the commands' --help texts need fixing first:\n${problems.join('\n')}`);
  const pages = new Map<string, string>();
  for (const spec of specs) {
    const file = `${spec.name}.md`;
    pages.set(file, renderCommandPage(spec, handWrittenPart(readIfThere(join(dir, file)) ?? '')));
  }
  pages.set('README.md', renderCommandIndex(specs));
  return pages;
}

/** Generated pages of commands mkdev no longer has. */
function leftoverPages(dir: string, expected: ReadonlyMap<string, string>): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(
    (f) => f.endsWith('.md') && !expected.has(f) && readFileSync(join(dir, f), 'utf8').startsWith(GENERATED),
  );
}
const GENERATED = '<!-- Generated from src/cli/';

/** The pages that are missing, differ from what would be written now, or belong to no command. */
export async function staleCommandDocs(dir = COMMAND_DOCS_DIR): Promise<string[]> {
  const expected = await expectedCommandDocs(dir);
  const differing = [...expected].filter(([file, text]) => readIfThere(join(dir, file)) !== text);
  return [...differing.map(([file]) => file), ...leftoverPages(dir, expected)];
}

async function main(args: readonly string[]): Promise<number> {
  if (args.includes('--check')) {
    const stale = await staleCommandDocs();
    if (stale.length === 0) return 0;
    process.stderr.write(`docs/commands/ is out of date (${stale.join(', ')}): run npm run docs:commands\n`);
    return 1;
  }
  mkdirSync(COMMAND_DOCS_DIR, { recursive: true });
  const expected = await expectedCommandDocs();
  for (const file of leftoverPages(COMMAND_DOCS_DIR, expected)) rmSync(join(COMMAND_DOCS_DIR, file));
  for (const [file, text] of expected) writeFileSync(join(COMMAND_DOCS_DIR, file), text);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
