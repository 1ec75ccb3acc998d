// The plugin's export of a batch (kong/plugins/opentelemetry/traces.lua http_export_traces and
// utils.lua @ 3.9.1): POST the encoded ExportTraceServiceRequest to traces_endpoint with
// Content-Type application/x-protobuf (unless the configured headers set Content-Type), within
// connect/send/read timeouts; anything but a 200 is a failure the queue retries.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { log } from '../log.ts';

export interface ExportConf {
  readonly endpoint: string;
  readonly headers: Record<string, string> | null;
  readonly connectTimeout: number;
  readonly sendTimeout: number;
  readonly readTimeout: number;
}

/** utils.lua get_headers: the configured headers, plus the protobuf Content-Type unless they set one. */
function headersFor(configured: Record<string, string> | null): Record<string, string> {
  if (!configured) return { 'Content-Type': 'application/x-protobuf' };
  if (configured['Content-Type']) return configured;
  return { ...configured, 'Content-Type': 'application/x-protobuf' };
}

/** http_export_request: true, or the error text the plugin logs ("[otel] ..."). */
export function exportRequest(
  conf: ExportConf,
  body: Buffer,
): Promise<{ ok: true } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(conf.endpoint);
    } catch {
      resolve({ ok: false, error: `failed to send request: invalid URL ${conf.endpoint}` });
      return;
    }
    let settled = false;
    const done = (result: { ok: true } | { ok: false; error: string }) => {
      if (settled) return;
      settled = true;
      if (!result.ok) log('error', `[kong] traces.lua [otel] ${result.error}`);
      resolve(result);
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'POST', headers: { ...headersFor(conf.headers), 'Content-Length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(readTimer);
          if (res.statusCode === 200) done({ ok: true });
          else
            done({
              ok: false,
              error: `response error: ${res.statusCode}, body: ${Buffer.concat(chunks).toString('latin1')}`,
            });
        });
        res.on('error', (e) => done({ ok: false, error: `failed to send request: ${e.message}` }));
      },
    );
    const fail = (what: string) => () => {
      req.destroy();
      done({ ok: false, error: `failed to send request: ${what}` });
    };
    const connectTimer = setTimeout(fail('timeout'), conf.connectTimeout);
    let readTimer: NodeJS.Timeout | undefined;
    req.on('socket', (s) => {
      s.once('connect', () => {
        clearTimeout(connectTimer);
        readTimer = setTimeout(fail('timeout'), conf.sendTimeout + conf.readTimeout);
      });
    });
    req.on('error', (e) => {
      clearTimeout(connectTimer);
      clearTimeout(readTimer);
      done({
        ok: false,
        error: `failed to send request: ${(e as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'connection refused' : e.message}`,
      });
    });
    req.end(body);
  });
}
