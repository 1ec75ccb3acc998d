// Exponential backoff for the calls a service makes while Kong and Consul are still coming up
// (they start alongside it). Bounded by attempts or by total time, and abortable so SIGTERM during
// start-up does not wait out the backoff.

export interface RetryOptions {
  /** Give up after this many attempts (default 10 when timeoutMs is not given either). */
  readonly attempts?: number;
  /** Give up once this much time has passed since the first attempt. */
  readonly timeoutMs?: number;
  /** The first wait; doubles each time (default 200 ms). */
  readonly initialDelayMs?: number;
  /** The cap on one wait (default 5 s). */
  readonly maxDelayMs?: number;
  readonly signal?: AbortSignal;
  /** Called before each wait, e.g. to log "Kong not up yet, retrying in 400 ms". */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Return false to fail at once (e.g. a 400 from Kong will not fix itself). Default: retry everything. */
  readonly retryIf?: (error: unknown) => boolean;
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? (options.timeoutMs === undefined ? 10 : Number.POSITIVE_INFINITY);
  const deadline =
    options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  const maxDelay = options.maxDelayMs ?? 5_000;
  let delay = options.initialDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      const remaining = deadline - Date.now();
      if (
        attempt >= attempts ||
        remaining <= 0 ||
        options.retryIf?.(error) === false ||
        options.signal?.aborted
      ) {
        throw error;
      }
      // The last wait is cut short so one more attempt happens right at the deadline.
      const wait = Math.min(delay, maxDelay, remaining);
      options.onRetry?.(error, attempt, wait);
      await sleep(wait, options.signal);
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
