// A tiny HTTP upstream that echoes what it received.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Echo {
  port: number;
  name: string;
  close(): Promise<void>;
}

export async function startEcho(
  name: string,
  handler?: (req: IncomingMessage, body: string) => { status?: number; body?: string } | undefined,
): Promise<Echo> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    const custom = handler?.(req, body);
    if (custom) {
      res.writeHead(custom.status ?? 200, { 'content-type': 'text/plain' });
      res.end(custom.body ?? '');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name });
    res.end(JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers, body }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    name,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
