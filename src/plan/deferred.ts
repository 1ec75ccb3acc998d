// A promise with its resolve and reject at hand.

export class Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Unobserved rejections are expected when nobody waits on it.
    this.promise.catch(() => {});
  }
}
