// How errors reach the user: printed, and as exit codes (documented in the README): 0 ok, 1 failure, 2 usage error, 130 interrupted. The error
// classes themselves live in src/errors.ts, below every layer.
import { engineError, isEngineError } from '../engine/engine-error.ts';
import { InterruptedError, UsageError, UserError } from '../errors.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (error instanceof InterruptedError) return EXIT_INTERRUPTED;
  return EXIT_FAILURE;
}

/** Prints an error the way a user should see it: a message and a fix for their mistakes, a stack only for ours. */
export function report(error: unknown): number {
  if (error instanceof InterruptedError) {
    process.stderr.write(
      "mkdev: interrupted; what was started keeps running: 'mkdev up' carries on, 'mkdev down' removes it\n",
    );
  } else if (error instanceof UserError) {
    process.stderr.write(`mkdev: ${error.message}\n`);
    if (error.details) process.stderr.write(`${error.details.trimEnd()}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
  } else if (isEngineError(error)) {
    // An engine answer no call site translated: still the engine's words and a hint, not a stack trace.
    return report(engineError(error, { doing: 'talking to the Docker engine' }));
  } else {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`mkdev: internal error (please report it):\n${text}\n`);
  }
  return exitCodeFor(error);
}
