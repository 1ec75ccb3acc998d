// The one HTTP helper the register library uses: global fetch, JSON in and out, and errors that say
// which call failed, with the status and the server's own error body (Kong's `message`/`fields`).

/** A registration call answered with an unexpected status (or could not be made at all). */
export class RegistrationError extends Error {
  /** The HTTP status, or undefined when no answer came (connection refused, DNS, timeout). */
  readonly status: number | undefined;
  /** The response body as text, when there was one. */
  readonly body: string | undefined;
  constructor(message: string, options: { status?: number; body?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistrationError';
    this.status = options.status;
    this.body = options.body;
  }
}

export interface CallOptions {
  readonly body?: unknown;
  /** Statuses that count as success besides 2xx (e.g. 404 for a deregister of something already gone). */
  readonly alsoOk?: readonly number[];
  readonly signal?: AbortSignal;
  /** Per-request timeout; a hung Kong or Consul must not hang the service's start-up. */
  readonly timeoutMs?: number;
}

export interface CallResult {
  readonly status: number;
  readonly json: unknown;
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** Kong answers `{message, fields}`, Consul plain text: keep whichever is there, short. */
function describeBody(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; fields?: unknown };
    if (parsed && typeof parsed === 'object' && typeof parsed.message === 'string') {
      return parsed.fields === undefined
        ? parsed.message
        : `${parsed.message} ${JSON.stringify(parsed.fields)}`;
    }
  } catch {
    // not JSON: Consul answers errors as text
  }
  return text.trim().slice(0, 500);
}

export async function callJson(method: string, url: string, options: CallOptions = {}): Promise<CallResult> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 10_000)];
  if (options.signal) signals.push(options.signal);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new RegistrationError(`${method} ${url} failed: ${reason}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok && !(options.alsoOk ?? []).includes(response.status)) {
    const detail = text === '' ? '' : `: ${describeBody(text)}`;
    throw new RegistrationError(`${method} ${url} answered ${response.status}${detail}`, {
      status: response.status,
      body: text,
    });
  }
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}
