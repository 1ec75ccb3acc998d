// Waiting that honours Ctrl-C: every wait mkdev does on something outside its control (a milestone, a
// container's exit) goes through this, so an abort is never left waiting behind a promise.

/** The promise's outcome, or a rejection with the signal's reason as soon as the signal aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
