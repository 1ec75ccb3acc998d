// An HTTP proxy in front of a stand-in that records every request a register library makes (method,
// path, JSON body, when) and can answer the next ones itself (503, as Kong or Consul do while they come
// up) or refuse them: the contract test compares what each language sends, not only what ends up stored.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  /** performance.now() when the request arrived. */
  readonly at: number;
}

export class RecordingProxy {
  readonly requests: Recorded[] = [];
  #server: Server | undefined;
  #failing = 0;
  readonly #upstream: URL;

  constructor(upstream: string) {
    this.#upstream = new URL(upstream);
  }

  get url(): string {
    const address = this.#server?.address() as AddressInfo | undefined;
    return `http://127.0.0.1:${address?.port}`;
  }

  /** The next `count` requests are answered 503 by the proxy instead of the stand-in. */
  failNext(count: number): void {
    this.#failing = count;
  }

  reset(): void {
    this.requests.length = 0;
    this.#failing = 0;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const at = performance.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          body: text === '' ? undefined : JSON.parse(text),
          at,
        });
        if (this.#failing > 0) {
          this.#failing--;
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end('upstream not ready');
          return;
        }
        const forwarded = request(
          {
            host: this.#upstream.hostname,
            port: this.#upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: this.#upstream.host },
          },
          (upstream) => {
            res.writeHead(upstream.statusCode ?? 502, upstream.headers);
            upstream.pipe(res);
          },
        );
        forwarded.on('error', (e) => {
          res.writeHead(502);
          res.end(String(e));
        });
        forwarded.end(raw);
      });
    });
    await new Promise<void>((r) => this.#server?.listen(0, '127.0.0.1', () => r()));
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }
}
