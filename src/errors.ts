// The errors every layer throws, at the bottom so that none imports upwards to reach them. How they
// print and which exit code each gets is the CLI's business (cli/errors.ts).

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

/** The command line itself was wrong (unknown flag, missing argument, unknown service). */
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

/** A service was not started because one it waits for did not come up. */
export class UpstreamFailedError extends Error {
  readonly service: string;
  constructor(service: string) {
    super(`'${service}' did not come up`);
    this.name = 'UpstreamFailedError';
    this.service = service;
  }
}

const engineStatus = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/** The engine answered 404: the container, image, network or volume is not there (any more). */
export const isNotFound = (error: unknown): boolean => engineStatus(error) === 404;
/** The engine answered 409: it already exists, or is still in use. */
export const isConflict = (error: unknown): boolean => engineStatus(error) === 409;
/** The engine answered 304: already in the state asked for (a stop of a stopped container). */
export const isNotModified = (error: unknown): boolean => engineStatus(error) === 304;

/** A catch handler that lets the engine answers named through (already stopped, already gone) and rethrows any other. */
export const ignoring =
  (...expected: readonly ((error: unknown) => boolean)[]) =>
  (error: unknown): void => {
    if (!expected.some((test) => test(error))) throw error;
  };
