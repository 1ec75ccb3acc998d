// The command reference (docs/commands/) is rendered from the commands' specs: these tests hold the
// rendering, the agreement between each --help text and the options the command accepts, and that the
// committed pages are what `npm run docs:commands` would write now. No engine.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandSpec } from '../src/cli/command.ts';
import {
  defaultOf,
  HAND_WRITTEN_MARKER,
  handWrittenPart,
  helpProblems,
  parseHelp,
  renderCommandPage,
} from './command-docs.ts';
import { COMMAND_DOCS_DIR, commandSpecs, expectedCommandDocs, staleCommandDocs } from './gen-command-docs.ts';

const HELP = `Does a thing.

Second paragraph.

Options:
  -p, --project <name>  project name (default: the directory name)
      --json            machine-readable output
      --registry <host/prefix>
                        where images go
  -o, --output <path>   compose: the file (default stdout); kubernetes: the directory (default k8s)
      --from <image>    the old image (default: the one that made the volume, else
                        postgres:<major>)

Examples:
  mkdev thing
  mkdev thing --json`;

const spec = (over: Partial<CommandSpec>): CommandSpec => ({
  name: 'thing',
  summary: 'do a thing',
  usage: 'mkdev thing [options]',
  help: HELP,
  options: {
    project: { type: 'string', short: 'p' },
    json: { type: 'boolean' },
    registry: { type: 'string' },
    output: { type: 'string', short: 'o' },
    from: { type: 'string' },
  },
  allowPositionals: false,
  ...over,
});

describe('parseHelp', () => {
  it('splits description, options (with continuation lines) and examples', () => {
    const parsed = parseHelp(HELP);
    expect(parsed.description).toBe('Does a thing.\n\nSecond paragraph.');
    expect(parsed.options.map((o) => [o.short, o.name, o.value])).toEqual([
      ['p', 'project', '<name>'],
      [undefined, 'json', undefined],
      [undefined, 'registry', '<host/prefix>'],
      ['o', 'output', '<path>'],
      [undefined, 'from', '<image>'],
    ]);
    expect(parsed.options[2]?.description).toBe('where images go');
    expect(parsed.options[4]?.description).toBe(
      'the old image (default: the one that made the volume, else postgres:<major>)',
    );
    expect(parsed.examples).toEqual(['mkdev thing', 'mkdev thing --json']);
  });

  it('reads the stated default, naming each part when there are several', () => {
    const [project, json, registry, output, from] = parseHelp(HELP).options;
    expect([project, json, registry, output, from].map((o) => (o ? defaultOf(o) : ''))).toEqual([
      'the directory name',
      'off',
      'none',
      'compose: stdout; kubernetes: k8s',
      'the one that made the volume, else postgres:<major>',
    ]);
  });
});

describe('helpProblems', () => {
  it('finds nothing when --help and the options agree', () => {
    expect(helpProblems(spec({}))).toEqual([]);
  });

  it('names an accepted option --help leaves out, one it describes twice, and a wrong value or short form', () => {
    const problems = helpProblems(
      spec({
        help: `${HELP}\n      --json            again`.replace('Examples:', 'Options:'),
        options: {
          project: { type: 'string', short: 'x' },
          json: { type: 'boolean' },
          registry: { type: 'boolean' },
          output: { type: 'string', short: 'o' },
          from: { type: 'string' },
          secret: { type: 'boolean' },
        },
      }),
    );
    expect(problems).toEqual([
      "thing: --project's short form is -x, --help says -p",
      'thing: --registry is a boolean option but --help writes it with a value <host/prefix>',
      'thing: --json is described twice',
      'thing: --secret is accepted but --help does not describe it',
    ]);
  });

  it('finds nothing in any command mkdev has', async () => {
    expect((await commandSpecs()).flatMap(helpProblems)).toEqual([]);
  });
});

describe('a command page', () => {
  it('has the usage, every option with its default, the examples, and keeps the hand-written part', () => {
    const page = renderCommandPage(spec({}), '\n## Notes\n\nBy hand.\n');
    expect(page).toContain('# `mkdev thing`\n\nDo a thing.\n\n```console\nmkdev thing [options]\n```');
    expect(page).toContain(
      '| `-o`, `--output <path>` | compose: stdout; kubernetes: k8s | compose: the file',
    );
    expect(page).toContain('```console\nmkdev thing\nmkdev thing --json\n```');
    expect(handWrittenPart(page).trim()).toBe('## Notes\n\nBy hand.');
    expect(renderCommandPage(spec({}), handWrittenPart(page))).toBe(page);
  });

  it('escapes what markdown would take for a table cell, a tag or emphasis, outside code', () => {
    const page = renderCommandPage(
      spec({
        help: 'Writes services/<name>/.\n\nOptions:\n      --type <a|b>      a|b for <name>, not *** (default <a>)',
        options: { type: { type: 'string' } },
      }),
    );
    expect(page).toContain('Writes services/&lt;name>/.');
    expect(page).toContain(
      '| `--type <a\\|b>` | &lt;a> | a\\|b for &lt;name>, not \\*\\*\\* (default &lt;a>) |',
    );
  });
});

describe('docs/commands/', () => {
  it('is what `npm run docs:commands` writes now (run it after changing a spec.ts)', async () => {
    expect(await staleCommandDocs()).toEqual([]);
  });

  it('has a page for every command and the index links each', async () => {
    const names = (await commandSpecs()).map((s) => s.name);
    const index = readFileSync(join(COMMAND_DOCS_DIR, 'README.md'), 'utf8');
    for (const name of names) expect(index).toContain(`](${name}.md)`);
  });

  describe('checked against a copy', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mkdev-command-docs-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('names a page that differs, one that is missing, and one of a command mkdev no longer has', async () => {
      const expected = await expectedCommandDocs(dir);
      for (const [file, text] of expected) writeFileSync(join(dir, file), text);
      expect(await staleCommandDocs(dir)).toEqual([]);
      writeFileSync(join(dir, 'up.md'), (expected.get('up.md') as string).replace('## Options', '## Flags'));
      rmSync(join(dir, 'down.md'));
      writeFileSync(join(dir, 'gone.md'), '<!-- Generated from src/cli/gone/spec.ts by hand -->\n');
      writeFileSync(join(dir, 'notes.md'), 'not generated\n');
      expect(await staleCommandDocs(dir)).toEqual(['up.md', 'down.md', 'gone.md']);
    });

    it('keeps what follows the marker when a page is rendered again', async () => {
      const first = await expectedCommandDocs(dir);
      writeFileSync(join(dir, 'up.md'), `${first.get('up.md')}\nHand-written notes.\n`);
      const again = await expectedCommandDocs(dir);
      expect(again.get('up.md')).toContain(`${HAND_WRITTEN_MARKER}\n\nHand-written notes.\n`);
      expect(await staleCommandDocs(dir)).not.toContain('up.md');
    });
  });
});
