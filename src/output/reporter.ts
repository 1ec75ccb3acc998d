// What every progress reporter (tree, plain, NDJSON) implements: its own file, so the reporters and
// the chooser that loads them lazily do not import each other.
import type { StackEvent } from '../plan/events.ts';

export interface ProgressReporter {
  start(services: readonly string[]): void;
  event(event: StackEvent): void;
  /** Waits until the renderer has drawn its last frame. */
  stop(): Promise<void>;
}
