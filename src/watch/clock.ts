// The timer watch's debounce runs on: real time in the product, a clock moved on by hand in the
// loop's tests (fake-clock.ts), so they need neither sleeps nor a machine that keeps up.
export type Cancel = () => void;

export interface Clock {
  /** Calls `callback` once, `ms` from now, unless cancelled first. */
  after(ms: number, callback: () => void): Cancel;
}

export const realClock: Clock = {
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};
