// One run of an HTTP or TCP check, with Consul's status mapping and output wording.

import { request as httpRequest, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { CheckDef, CheckStatus } from './catalog.ts';

export interface ProbeResult {
  status: CheckStatus;
  output: string;
}

const OUTPUT_MAX = 4096;

function goDialError(err: unknown, target: string): string {
  const e = err as { code?: string; cause?: { code?: string }; name?: string };
  const code = e.cause?.code ?? e.code;
  if (code === 'ECONNREFUSED') return `dial tcp ${target}: connect: connection refused`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${target}: connect: no route to host`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `dial tcp: lookup ${target.replace(/:\d+$/, '')}: no such host`;
  if (e.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
  }
  return (err as Error).message;
}

interface HttpOutcome {
  status: number;
  body: Buffer;
}

/** One request with node:http (fetch refuses "bad ports" that Go happily dials), following redirects. */
function request(
  def: CheckDef,
  url: string,
  method: string,
  headers: Record<string, string[]>,
  hops = 0,
): Promise<HttpOutcome> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = mod(
      u,
      {
        method,
        headers,
        // A new connection per check, as Consul's transport has keep-alives off: a kept-alive
        // connection would keep checking a process that stopped accepting (a replaced child).
        agent: false,
        timeout: def.timeoutMs ?? 10_000,
        ...(u.protocol === 'https:' ? { rejectUnauthorized: true } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location && hops < 10) {
          res.resume();
          request(
            def,
            new URL(location, u).toString(),
            method === 'POST' ? 'GET' : method,
            headers,
            hops + 1,
          ).then(resolve, reject);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < OUTPUT_MAX) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status, body: Buffer.concat(chunks).subarray(0, OUTPUT_MAX) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    req.on('error', reject);
    if (def.body && method !== 'GET' && method !== 'HEAD') req.write(def.body);
    req.end();
  });
}

export async function probeHttp(def: CheckDef): Promise<ProbeResult> {
  const url = def.http ?? '';
  const method = (def.method ?? 'GET').toUpperCase();
  const headers: Record<string, string[]> = {
    'User-Agent': ['Consul Health Check'],
    Accept: ['text/plain, text/*, */*'],
  };
  for (const [k, values] of Object.entries(def.header ?? {})) {
    for (const existing of Object.keys(headers))
      if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
    headers[k] = Array.isArray(values) ? values.map(String) : [String(values)];
  }
  let target = url;
  try {
    const u = new URL(url);
    target = `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
    const res = await request(def, url, method, headers);
    const output = `HTTP ${method} ${url}: ${res.status} ${STATUS_CODES[res.status] ?? ''} Output: ${res.body.toString('utf8')}`;
    if (res.status >= 200 && res.status <= 299) return { status: 'passing', output };
    if (res.status === 429) return { status: 'warning', output };
    return { status: 'critical', output };
  } catch (err) {
    const verb = method.charAt(0) + method.slice(1).toLowerCase();
    return { status: 'critical', output: `${verb} ${JSON.stringify(url)}: ${goDialError(err, target)}` };
  }
}

export function probeTcp(def: CheckDef): Promise<ProbeResult> {
  const target = def.tcp ?? '';
  const at = target.lastIndexOf(':');
  const host = target.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(target.slice(at + 1));
  return new Promise((resolve) => {
    if (at < 0 || !Number.isInteger(port)) {
      resolve({
        status: 'critical',
        output: `dial tcp ${target}: address ${target}: missing port in address`,
      });
      return;
    }
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ status: 'critical', output: `dial tcp ${target}: i/o timeout` });
    }, def.timeoutMs ?? 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: 'passing', output: `TCP connect ${target}: Success` });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve({ status: 'critical', output: goDialError(err, target) });
    });
  });
}
