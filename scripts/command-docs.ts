// The command reference (docs/commands/) as mkdev's own --help says it: each page is rendered from a
// command's spec.ts (summary, usage, help text, options), so the reference cannot drift from the CLI.
// Pure functions; scripts/gen-command-docs.ts writes the files and checks them.
import type { CommandSpec } from '../src/cli/command.ts';

/** Everything below this line in a page is hand-written and kept when the page is rendered again. */
export const HAND_WRITTEN_MARKER = '<!-- hand-written below: `npm run docs:commands` keeps what follows -->';

export interface HelpOption {
  /** The long name, without dashes: the key in the spec's `options`. */
  readonly name: string;
  readonly short?: string;
  /** The value's placeholder as --help writes it (`<s>`), absent for a boolean flag. */
  readonly value?: string;
  readonly description: string;
}

export interface ParsedHelp {
  readonly description: string;
  readonly options: readonly HelpOption[];
  readonly examples: readonly string[];
}

const OPTION_LINE = /^ {2,}(?:-([A-Za-z]), +)?--([a-z][\w-]*)(?: (<[^>]*>))?(?: {2,}(.*))?$/;

/** Splits a command's help text into its description, its option lines and its examples. */
export function parseHelp(help: string): ParsedHelp {
  const description: string[] = [];
  const options: { name: string; short?: string; value?: string; description: string[] }[] = [];
  const examples: string[] = [];
  let section: 'description' | 'options' | 'examples' = 'description';
  for (const line of help.split('\n')) {
    if (line === 'Options:') section = 'options';
    else if (line === 'Examples:') section = 'examples';
    else if (section === 'description') description.push(line);
    else if (section === 'examples') {
      if (line.trim() !== '') examples.push(line.trim());
    } else {
      const m = OPTION_LINE.exec(line);
      if (m) {
        options.push({
          name: m[2] as string,
          ...(m[1] ? { short: m[1] } : {}),
          ...(m[3] ? { value: m[3] } : {}),
          description: m[4] ? [m[4].trim()] : [],
        });
      } else if (line.trim() !== '') {
        const last = options.at(-1);
        if (last === undefined) throw new Error(`an options line that names no option: '${line}'`);
        last.description.push(line.trim());
      }
    }
  }
  return {
    description: description.join('\n').trim(),
    options: options.map((o) => ({ ...o, description: o.description.join(' ') })),
    examples,
  };
}

/**
 * Where the help text and the parser disagree: an option the command accepts that --help does not
 * describe, one described twice or not accepted, a value placeholder on a boolean flag (or none on a
 * flag that takes a value). The reference would be wrong in each case, and so would --help.
 */
export function helpProblems(spec: CommandSpec): string[] {
  const described = parseHelp(spec.help).options;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const o of described) {
    const accepted = spec.options[o.name];
    if (seen.has(o.name)) problems.push(`${spec.name}: --${o.name} is described twice`);
    seen.add(o.name);
    if (accepted === undefined) {
      problems.push(`${spec.name}: --help describes --${o.name}, which the command does not accept`);
      continue;
    }
    if ((accepted.type === 'string') !== (o.value !== undefined)) {
      problems.push(
        `${spec.name}: --${o.name} is a ${accepted.type} option but --help writes it ${o.value ? `with a value ${o.value}` : 'without a value'}`,
      );
    }
    if ((accepted.short ?? undefined) !== (o.short ?? undefined)) {
      problems.push(
        `${spec.name}: --${o.name}'s short form is -${accepted.short ?? '(none)'}, --help says -${o.short ?? '(none)'}`,
      );
    }
  }
  for (const name of Object.keys(spec.options)) {
    if (!seen.has(name)) problems.push(`${spec.name}: --${name} is accepted but --help does not describe it`);
  }
  return problems;
}

/**
 * The default an option's description states (`(default 10; ...)`, `(default: ts)`), else off (a flag)
 * or none. Where it states several, each is named by the `word:` that starts its part
 * (`compose: the file (default stdout); kubernetes: ... (default k8s)`).
 */
export function defaultOf(option: HelpOption): string {
  const text = option.description;
  const stated = [...text.matchAll(/\bdefault:? ([^;)]+)/g)];
  if (stated.length === 0) return option.value === undefined ? 'off' : 'none';
  const [only] = stated;
  if (stated.length === 1 && only) return (only[1] as string).trim();
  return stated
    .map((m) => {
      const before = text.slice(0, m.index);
      const part = /(?:^|; )([\w-]+): [^;]*$/.exec(before);
      return `${part ? `${part[1]}: ` : ''}${(m[1] as string).trim()}`;
    })
    .join('; ');
}

/**
 * --help's plain text as markdown text: `<name>` would be taken for an HTML tag and vanish, `***` for
 * emphasis. (Usage and examples go in code blocks, as they are.)
 */
export const prose = (text: string) => text.replaceAll('<', '&lt;').replaceAll('*', '\\*');
/** A table cell of plain text. */
const cell = (text: string) => prose(text).replaceAll('|', '\\|');
/** A table cell holding a code span: only the pipe needs escaping there. */
const codeCell = (text: string) => text.replaceAll('|', '\\|');

function optionName(o: HelpOption): string {
  const long = `\`--${o.name}${o.value ? ` ${o.value}` : ''}\``;
  return o.short ? `\`-${o.short}\`, ${long}` : long;
}

/** One command's page, with the hand-written part of the page it replaces (if any) kept below the marker. */
export function renderCommandPage(spec: CommandSpec, handWritten = ''): string {
  const help = parseHelp(spec.help);
  const lines = [
    `<!-- Generated from src/cli/${spec.name}/spec.ts by \`npm run docs:commands\`: edit the spec, not this part. -->`,
    `# \`mkdev ${spec.name}\``,
    '',
    `${prose(spec.summary.charAt(0).toUpperCase())}${prose(spec.summary.slice(1))}.`,
    '',
    '```console',
    spec.usage,
    '```',
    '',
  ];
  if (help.description) lines.push(prose(help.description), '');
  lines.push('## Options', '');
  if (help.options.length === 0) lines.push('None but `--help`.', '');
  else {
    lines.push('| option | default | description |', '| --- | --- | --- |');
    for (const o of help.options)
      lines.push(`| ${codeCell(optionName(o))} | ${cell(defaultOf(o))} | ${cell(o.description)} |`);
    lines.push('');
  }
  if (help.examples.length > 0) lines.push('## Examples', '', '```console', ...help.examples, '```', '');
  lines.push('All commands: [the command reference](README.md).', '', HAND_WRITTEN_MARKER, '');
  const kept = handWritten.trim();
  return `${lines.join('\n')}${kept ? `\n${kept}\n` : ''}`;
}

/** docs/commands/README.md: one line per command, with the exit codes every command shares. */
export function renderCommandIndex(specs: readonly CommandSpec[]): string {
  return [
    '<!-- Generated from src/cli/*/spec.ts by `npm run docs:commands`: edit the specs, not this file. -->',
    '# Command reference',
    '',
    "One page per command, written from the command's own `--help` (`mkdev <command> --help` prints the same).",
    '',
    '| command | what it does |',
    '| --- | --- |',
    ...specs.map((s) => `| [\`mkdev ${s.name}\`](${s.name}.md) | ${cell(s.summary)} |`),
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage error, 130 interrupted.',
    '',
  ].join('\n');
}

/** The hand-written part of an existing page: what follows the marker. */
export function handWrittenPart(page: string): string {
  const at = page.indexOf(HAND_WRITTEN_MARKER);
  return at === -1 ? '' : page.slice(at + HAND_WRITTEN_MARKER.length);
}
