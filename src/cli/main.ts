// mkdev's entry point: global flags, then the command, loaded lazily so start-up stays fast.
import { parseArgs } from 'node:util';
import { InterruptedError, UsageError } from '../errors.ts';
import { answerWithoutRunning } from './answers.ts';
import type { CommandSpec } from './command.ts';
import { report } from './errors.ts';
import { COMMANDS } from './registry.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const answer = await answerWithoutRunning(argv);
  if (answer !== undefined) {
    process.stdout.write(answer.text);
    return answer.exitCode;
  }
  const [first = '', ...rest] = argv;
  const entry = COMMANDS[first];
  if (entry === undefined) {
    return report(
      new UsageError(`unknown command '${first}'`, "run 'mkdev --help' for the list of commands"),
    );
  }
  const { spec } = await entry.spec();
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
