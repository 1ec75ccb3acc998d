// kong/tools/queue.lua @ 3.9.1, as the opentelemetry plugin uses it (concurrency_limit 1): entries wait
// in a queue named after the plugin; one timer takes the first entry, coalesces more until
// max_batch_size or max_coalescing_delay, hands the batch to the handler and retries a failing batch
// with exponential backoff (initial_retry_delay x 2^n, capped at max_retry_delay) until max_retry_time,
// then drops it. A full queue drops its oldest entry for each new one. When it runs dry the queue goes
// away, and the next entry makes a new one with the configuration of that moment.
import { log } from '../log.ts';

export interface QueueConf {
  readonly name: string;
  readonly logTag: string;
  readonly maxBatchSize: number;
  readonly maxCoalescingDelay: number;
  readonly maxEntries: number;
  readonly maxRetryTime: number;
  readonly initialRetryDelay: number;
  readonly maxRetryDelay: number;
}

export type Handler = (entries: Buffer[]) => Promise<{ ok: true } | { ok: false; error: string }>;

const CAPACITY_WARNING_THRESHOLD = 0.8;
const COALESCE_MIN_TIME = 0.05;
const queues = new Map<string, Queue>();

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

class Queue {
  readonly conf: QueueConf;
  handler: Handler;
  readonly entries: Buffer[] = [];
  warned = false;
  alreadyDropped = false;
  #wake: (() => void) | undefined;

  constructor(conf: QueueConf, handler: Handler) {
    this.conf = conf;
    this.handler = handler;
  }

  #log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    log(level, `[kong] queue.lua [${this.conf.logTag}] queue ${this.conf.name}: ${message}`);
  }

  enqueue(entry: Buffer): void {
    if (this.entries.length >= this.conf.maxEntries * CAPACITY_WARNING_THRESHOLD) {
      if (!this.warned) {
        this.#log('warn', `queue at ${CAPACITY_WARNING_THRESHOLD * 100}% capacity`);
        this.warned = true;
      }
    } else this.warned = false;
    if (this.entries.length >= this.conf.maxEntries) {
      this.#log('error', 'queue full, dropping old entries until processing is successful again');
      this.entries.shift();
      this.alreadyDropped = true;
    }
    this.entries.push(entry);
    this.#wake?.();
  }

  /** Waits up to `seconds` for one more entry beyond `have`. */
  #more(have: number, seconds: number): Promise<void> {
    if (this.entries.length > have) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, seconds * 1000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /** process_once: one batch, coalesced, then handled with retries. */
  async processOnce(): Promise<void> {
    const started = Date.now() / 1000;
    let count = 1;
    while (count < this.conf.maxBatchSize) {
      const left = this.conf.maxCoalescingDelay - (Date.now() / 1000 - started);
      if (left < COALESCE_MIN_TIME) break;
      await this.#more(count, left);
      count = Math.min(this.entries.length, this.conf.maxBatchSize);
      if (this.conf.maxCoalescingDelay - (Date.now() / 1000 - started) < COALESCE_MIN_TIME) break;
    }
    const batch = this.entries.splice(0, Math.min(count, this.entries.length));
    if (this.alreadyDropped) {
      this.#log('info', 'queue resumed processing');
      this.alreadyDropped = false;
    }
    await this.#handle(batch);
  }

  async #handle(batch: Buffer[]): Promise<void> {
    const start = Date.now() / 1000;
    for (let retry = 0; ; retry++) {
      let result: Awaited<ReturnType<Handler>>;
      try {
        result = await this.handler(batch);
      } catch (e) {
        result = { ok: false, error: (e as Error).message };
      }
      if (result.ok) return;
      this.#log('warn', `handler could not process entries: ${result.error}`);
      if (Date.now() / 1000 - start > this.conf.maxRetryTime) {
        this.#log(
          'error',
          `could not send entries due to max_retry_time exceeded. ${batch.length} queue entries were lost`,
        );
        return;
      }
      await sleep(Math.min(this.conf.maxRetryDelay, 2 ** retry * this.conf.initialRetryDelay));
    }
  }
}

/** Queue.enqueue: creates the queue and its timer on first use; a running queue takes the latest handler. */
export function enqueue(conf: QueueConf, handler: Handler, entry: Buffer): void {
  let queue = queues.get(conf.name);
  if (queue) queue.handler = handler;
  else {
    queue = new Queue(conf, handler);
    queues.set(conf.name, queue);
    const q = queue;
    setImmediate(async () => {
      while (q.entries.length > 0) await q.processOnce();
      queues.delete(conf.name);
    });
  }
  queue.enqueue(entry);
}
