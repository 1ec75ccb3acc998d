// Runs batches one at a time per service. A batch that arrives while one runs waits, merged with any
// other that arrives meanwhile: an edit during a rebuild queues one more rebuild, and no more.
export class OneMoreQueue<T> {
  #running: Promise<void> | undefined;
  #queued: T | undefined;

  readonly #merge: (a: T, b: T) => T;
  readonly #run: (item: T) => Promise<void>;

  constructor(merge: (a: T, b: T) => T, run: (item: T) => Promise<void>) {
    this.#merge = merge;
    this.#run = run;
  }

  push(item: T): void {
    this.#queued = this.#queued === undefined ? item : this.#merge(this.#queued, item);
    if (this.#running === undefined) this.#running = this.#drain();
  }

  /** Resolves once nothing runs and nothing waits. */
  idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    while (this.#queued !== undefined) {
      const item = this.#queued;
      this.#queued = undefined;
      await this.#run(item);
    }
    this.#running = undefined;
  }
}
