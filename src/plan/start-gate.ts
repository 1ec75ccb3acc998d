// How many containers the engine is asked to create and start at once, and in which order. Started all
// at once, 30 extra services and the default stack's 5 made every start wait on every other: RabbitMQ,
// the stack's slowest boot, was created at 0.1 s but started only at 5.1 s, and `up` took 10.4 s where
// RabbitMQ alone is ready in ~4 s (bench: scale 30). Through the gate, the services declared first (the
// default stack before the project's own) start first, and the rest start while they boot.

export class StartGate {
  private running = 0;
  private readonly waiting: { priority: number; seq: number; go: () => void }[] = [];
  private seq = 0;

  private readonly limit: number;

  /** `limit` tasks at once; the waiting ones go lowest `priority` first, then first come. */
  constructor(limit: number) {
    this.limit = limit;
  }

  async run<T>(priority: number, task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((go) => {
        this.waiting.push({ priority, seq: this.seq++, go });
        this.waiting.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      });
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next task; only when none waits is it given back.
      if (next) next.go();
      else this.running--;
    }
  }
}
