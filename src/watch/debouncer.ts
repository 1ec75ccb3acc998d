// Collects paths per key until they have been quiet for `delayMs`, then hands them over at once:
// one editor save is several fs events, a `git checkout` is hundreds.
import { type Cancel, type Clock, realClock } from './clock.ts';

export class Debouncer<K> {
  readonly #pending = new Map<K, Set<string>>();
  readonly #timers = new Map<K, Cancel>();

  readonly #delayMs: number;
  readonly #flush: (key: K, paths: string[]) => void;
  readonly #clock: Clock;

  constructor(delayMs: number, flush: (key: K, paths: string[]) => void, clock: Clock = realClock) {
    this.#delayMs = delayMs;
    this.#flush = flush;
    this.#clock = clock;
  }

  add(key: K, path: string): void {
    let set = this.#pending.get(key);
    if (set === undefined) {
      set = new Set();
      this.#pending.set(key, set);
    }
    set.add(path);
    this.#timers.get(key)?.();
    this.#timers.set(
      key,
      this.#clock.after(this.#delayMs, () => {
        this.#timers.delete(key);
        this.#pending.delete(key);
        this.#flush(key, [...(set as Set<string>)]);
      }),
    );
  }

  close(): void {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    this.#pending.clear();
  }
}
