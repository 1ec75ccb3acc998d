// Every error the engine gives back (a 4xx or 5xx answer, a broken connection, an error in a build or
// pull stream) becomes a UserError naming the service, what mkdev was doing, the engine's own message
// and a hint. `internal error` is then left for mkdev's own bugs.
import { UserError } from '../errors.ts';

/**
 * How to get an engine that answers. It lives here, not beside the client, so that the CLI's error
 * printing (which every command loads) does not load dockerode.
 */
export const START_ENGINE_HINT =
  'start the Docker engine (Linux without systemd: `dockerd &`; Docker Desktop or OrbStack: open it; Colima: `colima start`), or choose another one: DOCKER_HOST, DOCKER_CONTEXT or `docker context use`';

export interface EngineContext {
  /** The service concerned, when there is one. */
  readonly service?: string;
  /** What mkdev was doing, as a phrase: "creating the container", "starting the container". */
  readonly doing: string;
}

interface ModemError {
  readonly statusCode?: number;
  readonly json?: { message?: string } | null;
  readonly code?: string;
  readonly message?: string;
}

/** True for what dockerode throws: an HTTP answer from the engine, or a failed connection to it. */
export function isEngineError(error: unknown): boolean {
  if (error instanceof UserError || !(error instanceof Error)) return false;
  const e = error as ModemError;
  return typeof e.statusCode === 'number' || CONNECTION_CODES.has(e.code ?? '');
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EPIPE', 'ECONNRESET', 'EACCES', 'ETIMEDOUT']);

/** The engine's own words, without dockerode's "(HTTP code 409) unexpected - " wrapping. */
export function engineMessage(error: unknown): string {
  const e = error as ModemError;
  const text = e.json?.message ?? e.message ?? String(error);
  return (
    text
      .replace(/^\(HTTP code \d+\) [a-z ]+ - /, '')
      .split('\n')[0]
      ?.trim() ?? text
  );
}

function hintFor(error: ModemError, message: string, service: string | undefined): string {
  const where = service ? `'${service}'` : 'the service';
  if (CONNECTION_CODES.has(error.code ?? '')) return START_ENGINE_HINT;
  if (/bind source path does not exist|invalid mount config/i.test(message)) {
    return `create that path on the host, or change 'volumes:' of ${where} in mkdev.yaml`;
  }
  if (/port is already allocated|address already in use/i.test(message)) {
    return `free that port, or move ${where}'s port ('ports:' in mkdev.yaml or its MKDEV_*_PORT variable)`;
  }
  if (/no such image|pull access denied|manifest unknown|not found: manifest/i.test(message)) {
    return 'map the image to one you have (`--images <file>`, MKDEV_IMAGES, or `images:` in mkdev.yaml)';
  }
  if (error.statusCode === 409) {
    return "another process is changing this project at the same time; wait for it, then run 'mkdev up' again";
  }
  if (error.statusCode === 304) return "run 'mkdev status' to see what runs";
  if (error.statusCode !== undefined && error.statusCode >= 500) {
    return "the engine itself failed: 'mkdev doctor' checks it; its own log says more";
  }
  return `check the settings of ${where} in the stack file, then run the command again`;
}

/**
 * A refusal of the engine, as every engine operation reports one: a UserError that keeps the engine's
 * status code, so a caller can still tell "gone" (404) from "in use" (409) through errors.ts' tests.
 */
export class EngineError extends UserError {
  readonly statusCode: number | undefined;
  constructor(message: string, options: { hint: string; cause: unknown; statusCode: number | undefined }) {
    super(message, { hint: options.hint, cause: options.cause });
    this.name = 'EngineError';
    this.statusCode = options.statusCode;
  }
}

export function engineError(error: unknown, ctx: EngineContext): UserError {
  if (error instanceof UserError) return error;
  const message = engineMessage(error);
  const who = ctx.service ? `${ctx.service}: ` : '';
  return new EngineError(`${who}${ctx.doing} failed: the engine said: ${message}`, {
    hint: hintFor(error as ModemError, message, ctx.service),
    cause: error,
    statusCode: (error as ModemError).statusCode,
  });
}

/**
 * An error shaped as dockerode reports an engine's answer (docker-modem: status code, JSON body): the
 * fake engine refuses with these, so its refusals read exactly as the real engine's.
 */
export function engineRefusal(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), {
    statusCode,
    json: { message },
  });
}

/** Runs one engine call; an engine error comes back as a UserError, anything else (a bug) as it was. */
export async function engineCall<T>(ctx: EngineContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw isEngineError(error) ? engineError(error, ctx) : error;
  }
}
