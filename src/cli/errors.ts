// Errors that are the user's to fix. They print as one clear message with a hint, never a stack trace.
// Exit codes (documented in the README): 0 ok, 1 failure, 2 usage error, 130 interrupted.

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** A failure the user can act on: what went wrong, where, and what to do. */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly details: string | undefined;
  constructor(message: string, options: { hint?: string; details?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** The command line itself was wrong (unknown flag, missing argument). */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint === undefined ? {} : { hint });
    this.name = 'UsageError';
  }
}

/** The user pressed Ctrl-C; work already done is kept and labelled, so the next run carries on. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (error instanceof InterruptedError) return EXIT_INTERRUPTED;
  return EXIT_FAILURE;
}
