// What mkdev answers without running a command: its help, its version, a command's --help. main()
// answers from here, and the build writes every answer a short command line can get to
// dist/cli-bundle/answers.json (scripts/build-cli.ts), which the launcher (bin/mkdev.js) prints without
// loading the bundle: one text, from the one command table, reached two ways.
import { MKDEV_VERSION } from '../version.ts';
import type { CommandSpec } from './command.ts';
import { EXIT_OK, EXIT_USAGE } from './errors.ts';
import { COMMANDS } from './registry.ts';

export interface Answer {
  /** What goes to stdout, final newline included. */
  readonly text: string;
  readonly exitCode: number;
}

const HELP = ['--help', '-h'];

async function mainHelp(): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const specs = await Promise.all(Object.values(COMMANDS).map((c) => c.spec()));
  const lines = specs.map(({ spec }) => `  ${spec.name.padEnd(width)}  ${spec.summary}`);
  return `mkdev ${MKDEV_VERSION}: a microservice platform's backend (Kong, Consul, RabbitMQ, Postgres, Prometheus) on this machine

Usage: mkdev <command> [options]

Commands:
${lines.join('\n')}

Run 'mkdev <command> --help' for a command's options.
Exit codes: 0 ok, 1 failure, 2 usage error, 130 interrupted.`;
}

function commandHelp(spec: CommandSpec): string {
  return `${spec.summary}\n\nUsage: ${spec.usage}\n\n${spec.help}`.trimEnd();
}

/** The answer to a command line that asks for help or the version; undefined for one that runs. */
export async function answerWithoutRunning(argv: readonly string[]): Promise<Answer | undefined> {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || HELP.includes(first)) {
    return { text: `${await mainHelp()}\n`, exitCode: first === undefined ? EXIT_USAGE : EXIT_OK };
  }
  if (first === '--version' || first === '-v') return { text: `${MKDEV_VERSION}\n`, exitCode: EXIT_OK };
  const entry = COMMANDS[first];
  if (entry === undefined || !rest.some((arg) => HELP.includes(arg))) return undefined;
  return { text: `${commandHelp((await entry.spec()).spec)}\n`, exitCode: EXIT_OK };
}

/** The key of a command line in answers.json (the launcher computes it the same way). */
export const answerKey = (argv: readonly string[]): string => JSON.stringify(argv);

/** Every answer to a command line of at most two words: `mkdev`, `mkdev --help`, `mkdev up -h`... */
export async function everyAnswer(): Promise<Record<string, Answer>> {
  const lines: string[][] = [[], ['help'], ['--version'], ['-v'], ...HELP.map((h) => [h])];
  for (const name of Object.keys(COMMANDS)) lines.push(...HELP.map((h) => [name, h]));
  const answers: Record<string, Answer> = {};
  for (const argv of lines) {
    const answer = await answerWithoutRunning(argv);
    if (answer !== undefined) answers[answerKey(argv)] = answer;
  }
  return answers;
}
