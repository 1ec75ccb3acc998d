// Reading an OTLP request's body within bounds (opentelemetry-proto docs/specification.md, "OTLP/HTTP
// Request": the server MUST limit the size of the body, also after decompression, and SHOULD answer 413).
// A Content-Length over the limit is refused before a byte is read; a chunked body is counted as it
// arrives and refused as soon as it passes the limit; gzip is inflated with the same limit on its output.
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

export class BodyError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'BodyError';
    this.status = status;
  }
}

/** What the receiver takes: the content type decides the decoder (the spec's multiplexing rule). */
export type BodyKind = 'protobuf' | 'json';

export function bodyKind(contentType: string | undefined): BodyKind | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit)
    throw new BodyError(413, `the body is ${declared} bytes; this receiver takes at most ${limit}`);
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip')
    throw new BodyError(415, `Content-Encoding ${encoding} is not supported: send identity or gzip`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new BodyError(413, `the body passed ${limit} bytes; this receiver takes at most ${limit}`);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  if (encoding === 'identity') return raw;
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: limit }, (error, out) => {
      if (!error) resolve(out);
      else if (
        error instanceof RangeError ||
        (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
      )
        reject(
          new BodyError(413, `the body inflates past ${limit} bytes; this receiver takes at most ${limit}`),
        );
      else reject(new BodyError(400, `the gzip body cannot be inflated: ${error.message}`));
    });
  });
}
