// The HTTP API: health, a sample endpoint and the verification flow. Paths are answered with or
// without the route prefix (see localPath), so it works through Kong and when called directly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Config, localPath } from './config.ts';
import {
  newToken,
  parseVerificationRequest,
  type VerificationMessage,
  verificationMessage,
} from './verification.ts';

export interface Processed extends VerificationMessage {
  readonly processedAt: string;
}

export interface AppState {
  /**
   * Whether this instance can serve (RabbitMQ connected): GET /healthz, Consul's check. It must not
   * depend on the registrations, or Consul would mark a fresh instance critical until its next check.
   */
  healthy(): boolean;
  /** Healthy and registered on Consul and Kong: GET /readyz, what 'mkdev up' waits for. */
  ready(): boolean;
  publish(message: VerificationMessage): Promise<void>;
  readonly processed: readonly Processed[];
}

const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export function createHttpServer(config: Config, state: AppState): Server {
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = localPath(config.routePath, url.pathname);
    const route = `${req.method} ${path}`;
    try {
      if (route === 'GET /healthz' || route === 'GET /readyz') {
        const ok = route === 'GET /healthz' ? state.healthy() : state.ready();
        send(res, ok ? 200 : 503, { status: ok ? 'ok' : 'starting', instance: config.instanceId });
      } else if (route === 'GET /') {
        send(res, 200, {
          service: config.serviceName,
          instance: config.instanceId,
          message: `hello from ${config.serviceName}`,
        });
      } else if (route === 'POST /verifications') {
        let body: unknown;
        try {
          body = await readJson(req);
        } catch (error) {
          send(res, 400, { error: `expected a JSON body: ${(error as Error).message}` });
          return;
        }
        const request = parseVerificationRequest(body);
        if ('error' in request) {
          send(res, 400, { error: request.error });
          return;
        }
        const token = newToken();
        await state.publish(verificationMessage(request, token));
        send(res, 202, { queued: true, queue: config.verificationQueue, token });
      } else if (route === 'GET /verifications') {
        send(res, 200, { processed: state.processed });
      } else {
        send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
      }
    } catch (error) {
      send(res, 503, { error: (error as Error).message });
    }
  });
}
