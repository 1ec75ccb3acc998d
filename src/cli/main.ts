// mkdev's entry point: global flags, then the command, loaded lazily so start-up stays fast.
import { parseArgs } from 'node:util';
import { InterruptedError, UsageError } from '../errors.ts';
import { MKDEV_VERSION } from '../version.ts';
import type { CommandSpec } from './command.ts';
import { EXIT_OK, EXIT_USAGE, report } from './errors.ts';
import { COMMANDS } from './registry.ts';

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

export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${await mainHelp()}\n`);
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${MKDEV_VERSION}\n`);
    return EXIT_OK;
  }
  const entry = COMMANDS[first];
  if (entry === undefined) {
    return report(
      new UsageError(`unknown command '${first}'`, "run 'mkdev --help' for the list of commands"),
    );
  }
  const { spec } = await entry.spec();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${commandHelp(spec)}\n`);
    return EXIT_OK;
  }
  const controller = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    // Another Ctrl-C means "now": leave at once; labels let the next run clean up or carry on.
    if (signals >= (spec.signalsToExit ?? 2)) process.exit(130);
    controller.abort(new InterruptedError());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const parsed = parseCommandArgs(spec, rest);
    const { run } = await entry.run();
    return await run({ ...parsed, cwd: process.cwd(), signal: controller.signal });
  } catch (error) {
    return report(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function parseCommandArgs(spec: CommandSpec, args: readonly string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: spec.options,
      allowPositionals: spec.allowPositionals,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^.*?: /, '') : String(error);
    // Node's own wording, minus its advice about '--' (mkdev takes no positional starting with '-').
    const short = message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
    throw new UsageError(`${spec.name}: ${short}`, `run 'mkdev ${spec.name} --help' for its options`);
  }
}
