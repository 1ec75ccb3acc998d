// A file watcher for tests: nothing watches the disk; the test says which path was touched, as
// fs.watch would hand it on. What the loop asked to watch and whether it closed are kept to check.
import type { FileWatcher, Watcher } from './file-watcher.ts';

interface Subscription {
  readonly paths: readonly string[];
  readonly onPath: (path: string) => void;
  readonly onError: (error: Error) => void;
  open: boolean;
}

export class FakeWatcher implements FileWatcher {
  readonly #subscriptions: Subscription[] = [];

  watch(paths: readonly string[], onPath: (path: string) => void, onError: (error: Error) => void): Watcher {
    const subscription: Subscription = { paths: [...paths], onPath, onError, open: true };
    this.#subscriptions.push(subscription);
    return {
      close: () => {
        subscription.open = false;
      },
    };
  }

  /** An event on `path`, to every open watch (a closed one hears nothing, as with fs.watch). */
  touch(...paths: string[]): void {
    for (const path of paths) for (const s of this.#open()) s.onPath(path);
  }

  /** The watcher failing (fs.watch's 'error', e.g. a watched directory removed). */
  fail(error: Error): void {
    for (const s of this.#open()) s.onError(error);
  }

  /** The paths every watch still open was asked for. */
  get watching(): string[] {
    return this.#open().flatMap((s) => s.paths);
  }

  #open(): Subscription[] {
    return this.#subscriptions.filter((s) => s.open);
  }
}
