// The single "raft index" every write advances, plus change notification for blocking queries.

import { EventEmitter } from 'node:events';

export class RaftIndex {
  #index: number;
  readonly #events = new EventEmitter();

  constructor(start = 1) {
    this.#index = start;
    this.#events.setMaxListeners(0);
  }

  get current(): number {
    return this.#index;
  }

  /** Advances the index for a new write and returns it. */
  next(): number {
    this.#index += 1;
    return this.#index;
  }

  /** Restores a persisted index (never goes backwards). */
  restore(index: number): void {
    if (index > this.#index) this.#index = index;
  }

  /** Tells waiting blocking queries that state changed. */
  notify(): void {
    this.#events.emit('change');
  }

  onChange(listener: () => void): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }
}
