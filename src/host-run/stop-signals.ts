// SIGINT and SIGTERM during a host run, counted: the first asks for a clean stop (the containers come
// back, then the host process gets the same signal), the second ends the host process group at once.
// (A third ends mkdev itself: cli/main.ts; the next mkdev command then repairs what is left.)

export interface StopSignals {
  /** Aborted at the first signal. */
  readonly signal: AbortSignal;
  /** The first signal, once one came. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Runs `action` at the second signal. */
  onSecond(action: () => void): void;
  dispose(): void;
}

export function watchStopSignals(): StopSignals {
  const controller = new AbortController();
  let count = 0;
  let second: (() => void) | undefined;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const requested = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const on = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      resolveFirst(signal);
      controller.abort();
    } else if (count === 2) second?.();
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    requested,
    onSecond: (action) => {
      second = action;
    },
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
