// One HTTP request over node:http(s), for the few calls a short command makes: readiness probes and the
// stack's own actions (Kong's global plugin). Every `status` and no-op `up` makes them, and loading a
// client for them cost more than the calls: the npm undici is ~110 modules (~35 ms), and both it and
// Node's built-in fetch compile llhttp to WebAssembly on first use (~22 MiB of peak RSS, measured with
// V8's --liftoff-only). node:http's parser is native and already loaded. Long-lived readers (the
// dashboard, `routes`) keep undici.
import type { IncomingMessage } from 'node:http';

// Not `import ... from 'node:http'`: Node 24's ES-module facade of node:http reads every export,
// and its WebSocket getters load Node's internal undici (~15 ms, measured with --cpu-prof on a no-op
// `up`). process.getBuiltinModule hands over the CommonJS module as it is.
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export interface HttpRequestOptions {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** For the whole answer, headers and body. */
  readonly timeoutMs?: number;
}

/** Answers with any status; redirects are not followed (a probe compares what a client would see). */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const send = url.startsWith('https:') ? https.request : http.request;
  const init = { method: options.method ?? 'GET', headers: options.headers, signal, agent: false as const };
  return new Promise((resolve, reject) => {
    // No keep-alive (agent: false): one request, and no idle pooled socket holding the CLI's exit.
    const req = send(url, init, (res) => {
      readBody(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
    });
    req.on('error', (error) =>
      reject(signal.aborted && signal.reason instanceof Error ? signal.reason : error),
    );
    req.end(options.body);
  });
}

async function readBody(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let body = '';
  for await (const chunk of res) body += chunk;
  return body;
}
