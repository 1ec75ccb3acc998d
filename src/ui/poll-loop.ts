// Runs a task again and again: every interval, or at once when kicked (an engine event), never two at
// a time, until the signal aborts. A failing task is the task's own business (it records its error).

export interface PollLoop {
  /** Run the task as soon as the current run (if any) ends. */
  kick(): void;
  readonly done: Promise<void>;
}

export function pollLoop(task: () => Promise<void>, intervalMs: number, signal: AbortSignal): PollLoop {
  let wake: (() => void) | undefined;
  let kicked = false;
  const kick = () => {
    kicked = true;
    wake?.();
  };
  signal.addEventListener('abort', () => wake?.(), { once: true });
  const done = (async () => {
    while (!signal.aborted) {
      kicked = false;
      await task().catch(() => {});
      if (kicked || signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();
  return { kick, done };
}
