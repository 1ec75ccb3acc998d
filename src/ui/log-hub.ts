// Every service's log lines, merged, for the dashboard: attached to each container as it starts
// (through src/project/follow-logs.ts), kept in a ring of the last 10,000, and handed to listeners in
// batches so a chatty service costs one message per batch, not one per line.
import type { Engine } from '../engine/engine.ts';
import { followLogs, type LogLine } from '../project/follow-logs.ts';
import type { LogEntry } from './protocol.ts';

const LOG_LINES_KEPT = 10_000;
const BATCH_MS = 50;

export class LogHub {
  readonly #lines: LogEntry[] = [];
  readonly #listeners = new Set<(entries: readonly LogEntry[]) => void>();
  /** Containers (by name) followed now; and for those whose stream ended, when (to resume from there). */
  readonly #attached = new Set<string>();
  readonly #endedAt = new Map<string, number>();
  #batch: LogEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;

  readonly engine: Engine;
  readonly signal: AbortSignal;

  constructor(engine: Engine, signal: AbortSignal) {
    this.engine = engine;
    this.signal = signal;
  }

  lines(): readonly LogEntry[] {
    return this.#lines.slice(-LOG_LINES_KEPT);
  }

  subscribe(listener: (entries: readonly LogEntry[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Follows each running container not followed yet (its last 200 lines, or from where it stopped). */
  attach(running: readonly string[]): void {
    for (const id of running) {
      if (this.#attached.has(id) || this.signal.aborted) continue;
      this.#attached.add(id);
      const ended = this.#endedAt.get(id);
      followLogs(this.engine, {
        services: [],
        containers: [id],
        follow: true,
        signal: this.signal,
        sink: (line) => this.add(line),
        ...(ended === undefined ? { tail: '200' } : { since: new Date(ended).toISOString() }),
      })
        .catch(() => {})
        .finally(() => {
          this.#attached.delete(id);
          this.#endedAt.set(id, Date.now());
        });
    }
  }

  add(line: LogLine): void {
    const entry: LogEntry = { seq: ++this.#seq, at: Date.now(), ...line };
    this.#lines.push(entry);
    // Trimmed in chunks: one splice per thousand lines, not one per line.
    if (this.#lines.length > LOG_LINES_KEPT + 1000)
      this.#lines.splice(0, this.#lines.length - LOG_LINES_KEPT);
    this.#batch.push(entry);
    this.#timer ??= setTimeout(() => this.#flush(), BATCH_MS);
  }

  #flush(): void {
    this.#timer = undefined;
    const batch = this.#batch;
    this.#batch = [];
    for (const listener of this.#listeners) listener(batch);
  }
}
