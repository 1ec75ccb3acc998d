// Collects paths per key until they have been quiet for `delayMs`, then hands them over at once:
// one editor save is several fs events, a `git checkout` is hundreds.
export class Debouncer<K> {
  readonly #pending = new Map<K, Set<string>>();
  readonly #timers = new Map<K, NodeJS.Timeout>();

  readonly #delayMs: number;
  readonly #flush: (key: K, paths: string[]) => void;

  constructor(delayMs: number, flush: (key: K, paths: string[]) => void) {
    this.#delayMs = delayMs;
    this.#flush = flush;
  }

  add(key: K, path: string): void {
    let set = this.#pending.get(key);
    if (set === undefined) {
      set = new Set();
      this.#pending.set(key, set);
    }
    set.add(path);
    clearTimeout(this.#timers.get(key));
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        this.#pending.delete(key);
        this.#flush(key, [...(set as Set<string>)]);
      }, this.#delayMs),
    );
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#pending.clear();
  }
}
